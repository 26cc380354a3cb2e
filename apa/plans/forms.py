from django import forms

from apa.ui.forms import GovukMixin

from .models import ActionStatus, PlanLine

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class LineForm(GovukMixin, forms.Form):
    text = forms.CharField(label="What needs to improve", widget=forms.Textarea(attrs={"rows": 3}))
    area = forms.CharField(label="Judgement area", required=False, max_length=200, help_text="For example Staying safe")
    kind = forms.ChoiceField(label="Kind", choices=PlanLine.Kind.choices, initial=PlanLine.Kind.DEVELOPMENT)
    result = forms.ChoiceField(label="From the result", required=False,
                               help_text="For a result published without its findings, such as an imported one")
    reason = forms.CharField(label="Why it is added", required=False)

    def __init__(self, *args, results=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = [("", "None")] + [(str(r.pk), r.label) for r in results]


class _OwnerMixin:
    def _owner_choices(self, owners):
        self.fields["owner"].choices = [("", "Someone without an account (type the name below)")] + [
            (str(u.pk), u.get_full_name() or u.username) for u in owners]


class ActionForm(_OwnerMixin, GovukMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)  # the line's, or (to change it) the action's
    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(label="Owner", required=False)
    owner_name = forms.CharField(label="Owner's name, if they have no account", required=False, max_length=200)
    due_date = forms.DateField(label="Due date", input_formats=DATE_FORMATS, help_text="For example 2025-03-31")
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, initial=ActionStatus.AMBER)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._owner_choices(owners)


class ActionUpdateForm(ActionForm):
    reason = forms.CharField(label="Why it changes", required=False,
                             help_text="Needed when the due date moves or a completed action is reopened")


class NoteForm(GovukMixin, forms.Form):
    text = forms.CharField(label="Progress", widget=forms.Textarea(attrs={"rows": 3}))
    date = forms.DateField(label="Date", input_formats=DATE_FORMATS, required=False, help_text="Empty: today")


class ClinicForm(GovukMixin, forms.Form):
    held_on = forms.DateField(label="Clinic held on", input_formats=DATE_FORMATS, help_text="For example 2025-06-12")
    notes = forms.CharField(label="What the clinic agreed", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ProgressReportForm(GovukMixin, forms.Form):
    meeting = forms.ChoiceField(label="Committee meeting", required=False)

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [("", "Not yet on an agenda")] + [(str(m.pk), str(m)) for m in meetings]
