from django import forms

from apa.frameworks.models import Framework
from apa.ui.forms import GovukMixin


class LettersJobForm(GovukMixin, forms.Form):
    framework = forms.ChoiceField(label="Framework", error_messages={"required": "Choose a framework",
                                                                     "invalid_choice": "Choose a framework"})
    year = forms.IntegerField(label="Year", required=False, min_value=2000, max_value=2100,
                              help_text="The cycle's year; for inspections (ILACS), the year they took place. "
                                        "Leave it blank for every inspection.",
                              error_messages={"invalid": "Enter the year as four digits, like 2008",
                                              "min_value": "Enter a year from 2000", "max_value": "Enter a year up to 2100"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = [("", "Choose a framework")] + [
            (f.code, f.title) for f in Framework.objects.order_by("code")]

    def clean(self):
        data = super().clean()
        code = data.get("framework")
        if code and data.get("year") is None and Framework.objects.filter(code=code, yearly=True).exists():
            self.add_error("year", "Enter the cycle's year: this framework has a letter a year")
        return data


class IndicatorsJobForm(GovukMixin, forms.Form):
    file = forms.FileField(label="Indicator file", help_text="A LAIT parquet file, an Explore Education Statistics "
                           "CSV or a plain CSV or XLSX (one row per indicator, period and authority).",
                           error_messages={"required": "Choose the indicator file to import",
                                           "empty": "The file chosen is empty"})
    format = forms.ChoiceField(label="Layout", required=False, choices=[
        ("", "Tell from the file"), ("lait", "LAIT"), ("ees", "Explore Education Statistics"), ("plain", "Plain")])
