from django import forms

from .readers import outcome_codes
from .selectors import topic_list


class IndicatorFilterForm(forms.Form):
    q = forms.CharField(label="Code or words in the title", required=False,
                        widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-one-half"}))
    topic = forms.ChoiceField(label="Topic", required=False, widget=forms.Select(attrs={"class": "govuk-select"}))
    outcome = forms.ChoiceField(label="Outcome it informs", required=False,
                                widget=forms.Select(attrs={"class": "govuk-select"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "Any topic")] + [(t.name, t.name) for t in topic_list()]
        self.fields["outcome"].choices = [("", "Any outcome")] + list(outcome_codes().items()) + [
            ("none", "Not linked to an outcome")]


class FlagForm(forms.Form):
    comment = forms.CharField(
        label="What is wrong with this value?", max_length=2000,
        help_text="Say what the value should be and where the correct figure comes from.",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 5}),
        error_messages={"required": "Say what is wrong with the value",
                        "max_length": "Keep the comment to 2,000 characters or fewer"},
    )


class FlagResponseForm(forms.Form):
    response = forms.CharField(
        label="Your answer", max_length=4000,
        help_text="Say what was checked, and whether a corrected figure will be imported.",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
        error_messages={"required": "Say what was checked and what happens next"},
    )
