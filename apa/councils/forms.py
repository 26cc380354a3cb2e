from django import forms

from apa.ui.forms import TEXTAREA_LIMIT, GovukMixin


class RuleForm(GovukMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    working_days = forms.IntegerField(label="Working days", min_value=1, max_value=60)
    count_from = forms.ChoiceField(label="Counted from", choices=[("publication", "Publication of the decision"),
                                                                  ("decision", "The decision")])
    deadline_time = forms.CharField(label="Deadline time on the last day", help_text="HH:MM (24-hour) or midnight")
    closures = forms.CharField(label="Council closure days", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="One date per line, for example 2025-12-29")
    reason = forms.CharField(label="Why the rule changes", required=False)


class MeetingForm(GovukMixin, forms.Form):
    committee = forms.CharField(label="Committee", initial="Cabinet", max_length=200)
    date = forms.DateField(label="Date", help_text="For example 2007-12-17")
    time = forms.TimeField(label="Time", required=False, help_text="For example 10:00")
    location = forms.CharField(label="Location", required=False, max_length=200)


class AgendaItemForm(GovukMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label="Item title")
    report = forms.ChoiceField(label="Report", required=False)

    def __init__(self, *args, reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [("", "No report")] + [(str(r.pk), r.title) for r in reports]


class ReportNewForm(GovukMixin, forms.Form):
    result = forms.ChoiceField(label="Published result")
    layout = forms.ChoiceField(label="Layout", choices=[("cabinet", "Cabinet report (summary, results, comparison, recommendation)"),
                                                        ("scrutiny", "Scrutiny report (key issues, strengths, areas for improvement)")])
    score = forms.CharField(label="Score compared", required=False, max_length=200,
                            help_text="Areas summed, joined by +; empty for the framework's usual score")
    report_date = forms.DateField(label="Report date", required=False, help_text="Comparisons count results published by this date")
    meeting = forms.ChoiceField(label="Meeting", required=False)

    def __init__(self, *args, results=(), meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = [(str(r.pk), r.label) for r in results]
        self.fields["meeting"].choices = [("", "Not yet on an agenda")] + [(str(m.pk), str(m)) for m in meetings]


class ReportEditForm(GovukMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label="Title", max_length=300)
    exempt = forms.BooleanField(label="Exempt from publication", required=False)
    exempt_paragraph = forms.CharField(label="Paragraph of Schedule 12A to the Local Government Act 1972", required=False,
                                       max_length=40)

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        for section in sections:
            self.fields[f"section_{section['key']}"] = forms.CharField(
                label=section["heading"], required=False, max_length=TEXTAREA_LIMIT,
                widget=forms.Textarea(attrs={"rows": 5, "class": "govuk-textarea"}),
                initial=section["text"])


class NoteForm(GovukMixin, forms.Form):
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(GovukMixin, forms.Form):
    title = forms.CharField(label="Title of the item", max_length=300)
    decision = forms.CharField(label="Record of the decision", widget=forms.Textarea(attrs={"rows": 6}))
    reasons = forms.CharField(label="Reasons for the decision", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    alternatives_rejected = forms.CharField(label="Alternative options considered and rejected", required=False,
                                            widget=forms.Textarea(attrs={"rows": 2}))
    conflicts = forms.CharField(label="Declared conflicts of interest", required=False)
    dispensations = forms.CharField(label="Details of any dispensations", required=False)
    key_decision = forms.BooleanField(label="Key decision", required=False)
    urgent = forms.BooleanField(label="Urgent: exempt from call-in", required=False)
    urgent_reason = forms.CharField(label="Why it is urgent", required=False)
    decision_date = forms.DateField(label="Date of the decision")
    report = forms.ChoiceField(label="Report", required=False)
    meeting = forms.ChoiceField(label="Meeting", required=False)

    def __init__(self, *args, reports=(), meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [("", "None")] + [(str(r.pk), r.title) for r in reports]
        self.fields["meeting"].choices = [("", "None")] + [(str(m.pk), str(m)) for m in meetings]


class DecisionEditForm(DecisionForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PublishForm(GovukMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    publication_date = forms.DateField(label="Publication date")
    given_deadline = forms.DateTimeField(label="Call-in deadline as published by the council (optional)", required=False,
                                         input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"],
                                         help_text="Only if the council has itself published one, e.g. 2008-01-03 23:59")


class CallInForm(GovukMixin, forms.Form):
    members = forms.CharField(label="Members calling it in (one per line)", widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))
    date = forms.DateField(label="Date")


class OutcomeForm(GovukMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label="Outcome", choices=[
        ("no_further_action", "No further action: the decision takes effect"),
        ("referred_back", "Referred back to the decision-maker"),
        ("referred_to_council", "Referred to full council")])
    date = forms.DateField(label="Date")
