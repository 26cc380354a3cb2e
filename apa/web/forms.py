from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from apa.authorities.models import DFE_TYPES, REGIONS


class GovukMixin:
    """Adds GOV.UK classes to widgets; templates render errors as a GOV.UK error summary."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = {
                forms.Select: "govuk-select",
                forms.CheckboxInput: "govuk-checkboxes__input",
                forms.Textarea: "govuk-textarea",
            }.get(type(widget), "govuk-input")
            if self.errors.get(name):
                css += f" {css}--error"
            widget.attrs.setdefault("class", css)


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
