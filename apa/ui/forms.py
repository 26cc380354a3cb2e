"""GOV.UK form helpers: classes on widgets, error classes for the error summary."""

from django import forms


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
