"""GOV.UK form helpers: classes on widgets, error classes for the error summary, and a length limit on every
text field."""

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator

# A text field without its own limit takes one of these (characters): no real entry comes near them, and a
# post of megabytes of text is a form error instead of a row. A field stored in a column with a length has
# that length as its own max_length.
TEXT_LIMIT = 1_000
TEXTAREA_LIMIT = 50_000
# A whole number without its own bounds stays within a database integer (an id or a version beyond it is no
# record, and saving it would be a database error).
INTEGER_LIMIT = 2**31 - 1


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
            # No autofocus (Django's sign-in and password forms set it): it skips the skip link, the heading
            # and the hint for screen reader and keyboard users (docs/accessibility.md).
            field.widget.attrs.pop("autofocus", None)
            if isinstance(field, forms.CharField):
                if field.max_length is None:
                    field.max_length = TEXTAREA_LIMIT if isinstance(field.widget, forms.Textarea) else TEXT_LIMIT
                # Also where a form set max_length after making the field (Django's sign-in form does), which
                # leaves the field without the validator.
                if not any(isinstance(v, MaxLengthValidator) for v in field.validators):
                    field.validators.append(MaxLengthValidator(field.max_length))
            if isinstance(field, forms.IntegerField):
                if field.max_value is None:
                    field.max_value = INTEGER_LIMIT
                    field.validators.append(MaxValueValidator(INTEGER_LIMIT))
                if field.min_value is None:
                    field.min_value = -INTEGER_LIMIT
                    field.validators.append(MinValueValidator(-INTEGER_LIMIT))

    def full_clean(self):
        # Validation must not run in __init__: a subclass may still be setting up its fields (choices).
        super().full_clean()
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                error_class = f"{_govuk_class(widget)}--error"
                if error_class not in widget.attrs.get("class", "").split():
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} {error_class}".strip()
                # GOV.UK: the field is described by its hint and its error message (ids from field.html;
                # Django itself would name the hint only).
                auto_id = self[name].auto_id
                if auto_id and not self[name].widget_type.endswith("selectmultiple"):
                    described = [f"{auto_id}_helptext"] if self.fields[name].help_text else []
                    widget.attrs["aria-describedby"] = " ".join([*described, f"{auto_id}_error"])
