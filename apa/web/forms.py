from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from apa.authorities.models import DFE_TYPES, REGIONS


def _govuk_class(widget) -> str:
    return {
        forms.Select: "govuk-select",
        forms.CheckboxInput: "govuk-checkboxes__input",
        forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
        forms.Textarea: "govuk-textarea",
        forms.FileInput: "govuk-file-upload",
        forms.ClearableFileInput: "govuk-file-upload",
    }.get(type(widget), "govuk-input")


class GovukMixin:
    """Adds GOV.UK classes to widgets; templates render errors as a GOV.UK error summary."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", _govuk_class(field.widget))

    def full_clean(self):
        # Validation must not run in __init__: a subclass may still be setting up its fields (choices).
        super().full_clean()
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                error_class = f"{_govuk_class(widget)}--error"
                if error_class not in widget.attrs.get("class", "").split():
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} {error_class}".strip()


class GovukAuthenticationForm(GovukMixin, AuthenticationForm):
    pass


class GovukPasswordResetForm(GovukMixin, PasswordResetForm):
    pass


class GovukSetPasswordForm(GovukMixin, SetPasswordForm):
    pass


class AuthoritySearchForm(GovukMixin, forms.Form):
    q = forms.CharField(label="Name or code", required=False)
    region = forms.ChoiceField(
        label="Region", required=False,
        choices=[("", "All regions")] + [(r, r) for r in REGIONS] + [("Inner London", "Inner London"), ("Outer London", "Outer London")],
    )
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "All types")] + list(DFE_TYPES.items()))
    status = forms.ChoiceField(
        label="Status", required=False,
        choices=[("", "Current and former"), ("current", "Current"), ("former", "Former")],
    )


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
