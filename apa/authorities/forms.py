from django import forms

from apa.ui.forms import GovukMixin

from .models import DFE_TYPES, REGIONS


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
