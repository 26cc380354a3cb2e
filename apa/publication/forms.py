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
