from django import forms

from apa.ui.forms import GovukMixin


class CompareForm(GovukMixin, forms.Form):
    framework = forms.ChoiceField(label="Framework")
    year = forms.IntegerField(label="Year", required=False, help_text="Leave empty for the latest year (ILACS has no year).")
    authority = forms.CharField(label="Authority", help_text="DfE code, ONS code or name")
    score = forms.CharField(label="Score", required=False, help_text="Areas summed, joined by +; empty for the framework's usual score")
    as_of = forms.DateField(label="As of", required=False, help_text="For example 2007-12-17. Empty: today.",
                            input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    group = forms.ChoiceField(
        label="Compared with", initial="all",
        choices=[("all", "All authorities"), ("region", "Its region"), ("type", "Its type of authority"),
                 ("neighbours", "Its statistical neighbours")],
    )

    def __init__(self, *args, frameworks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = [(f.code, f.title) for f in frameworks]


class CorrectionForm(GovukMixin, forms.Form):
    note = forms.CharField(label="What was wrong (shown with the correction)", widget=forms.Textarea(attrs={"rows": 3}))


DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class JarForm(GovukMixin, forms.Form):
    """A Joint Area Review's dates, a grade for each core area of the framework, a public note and, when it is
    changed, why. `version` is the record's when the form was opened (a stale save is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    fieldwork_from = forms.DateField(label="Fieldwork began", help_text="For example 2026-03-02",
                                     input_formats=DATE_FORMATS,
                                     error_messages={"required": "Enter the date fieldwork began",
                                                     "invalid": "Enter the date fieldwork began as 2026-03-02"})
    fieldwork_to = forms.DateField(label="Fieldwork ended", help_text="For example 2026-03-13",
                                   input_formats=DATE_FORMATS,
                                   error_messages={"required": "Enter the date fieldwork ended",
                                                   "invalid": "Enter the date fieldwork ended as 2026-03-13"})
    publication_date = forms.DateField(label="Publication date", input_formats=DATE_FORMATS,
                                       help_text="The outcome is public from this day. For example 2026-05-29",
                                       error_messages={"required": "Enter the publication date",
                                                       "invalid": "Enter the publication date as 2026-05-29"})
    note = forms.CharField(label="Note (shown with the published outcome)", required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label="Why is it being recorded or changed? (kept in its history)", required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, core_areas=(), grades=(), updating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a grade")] + [(str(g.value), f"{g.value} {g.label}") for g in grades]
        for core in core_areas:
            self.fields[f"grade_{core['code']}"] = forms.ChoiceField(
                label=core["title"], choices=choices,
                error_messages={"required": f"Choose a grade for {core['title']}",
                                "invalid_choice": f"Choose a grade for {core['title']} from the list"})
        self.core_codes = [c["code"] for c in core_areas]
        if updating:
            self.fields["reason"].required = True
            self.fields["reason"].label = "Why is it changing? (kept in its history)"
            self.fields["reason"].error_messages["required"] = "Say why the joint area review is changing"
        for name in self.core_codes:  # GovukMixin classed the fields made before these
            self.fields[f"grade_{name}"].widget.attrs.setdefault("class", "govuk-select")
        self.order_fields(["version", "fieldwork_from", "fieldwork_to", "publication_date"]
                          + [f"grade_{c}" for c in self.core_codes] + ["note", "reason"])

    def grades(self) -> dict[str, str]:
        return {code: self.cleaned_data[f"grade_{code}"] for code in self.core_codes}
