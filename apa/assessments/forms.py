from django import forms

from apa.ui.forms import GovukMixin


class CycleOpenForm(GovukMixin, forms.Form):
    framework = forms.ChoiceField(label="Framework")
    year = forms.IntegerField(label="Year", min_value=2005, max_value=2100)
    self_assessment_due = forms.DateField(label="Self-assessment due", required=False, help_text="Default 31 May")
    data_lock = forms.DateField(label="Data lock", required=False, help_text="Default 30 June")
    visits_from = forms.DateField(label="Visits from", required=False, help_text="Default 1 July")
    visits_to = forms.DateField(label="Visits to", required=False, help_text="Default 31 July")
    moderation_by = forms.DateField(label="Moderation by", required=False, help_text="Default 30 September")

    def __init__(self, *args, frameworks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = [(f.code, f.title) for f in frameworks if f.yearly]


class ScheduleForm(GovukMixin, forms.Form):
    publish_at = forms.DateTimeField(label="Publish at (Europe/London)", help_text="For example 2025-11-20 09:30",
                                     input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"])


class AssignForm(GovukMixin, forms.Form):
    authority = forms.CharField(label="Authority", help_text="DfE code, ONS code or name")
    inspector = forms.ChoiceField(label="Lead inspector")

    def __init__(self, *args, inspectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].choices = [(u.username, u.get_full_name() or u.username) for u in inspectors]


class TransitionForm(GovukMixin, forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SelfAssessmentAreaForm(GovukMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    narrative = forms.CharField(label="Narrative", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    own_grade = forms.TypedChoiceField(label="Your own grade", required=False, coerce=int, empty_value=None)
    strengths = forms.CharField(label="Strengths (one per line)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    areas_for_development = forms.CharField(label="Areas for development (one per line)", required=False,
                                            widget=forms.Textarea(attrs={"rows": 3}))
    indicator_codes = forms.CharField(label="Linked indicators (LAIT codes, one per line)", required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["own_grade"].choices = [("", "Not given")] + [(g.value, f"{g.value} {g.label}") for g in grades]


class DocumentForm(GovukMixin, forms.Form):
    title = forms.CharField(label="Title", max_length=200)  # the column's length
    file = forms.FileField(label="File", widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}))
    area = forms.ChoiceField(label="Judgement area", required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "All areas")] + [(a.code, a.title) for a in areas]


class VisitForm(GovukMixin, forms.Form):
    date_from = forms.DateField(label="Visit from")
    date_to = forms.DateField(label="Visit to")
    notes = forms.CharField(label="Record of the visit", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class JudgementForm(GovukMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    grade = forms.TypedChoiceField(label="Grade", required=False, coerce=int, empty_value=None)
    rationale = forms.CharField(label="Rationale", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    strengths = forms.CharField(label="Strengths (one per line)", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    areas_for_development = forms.CharField(label="Areas for development (one per line)", required=False,
                                            widget=forms.Textarea(attrs={"rows": 3}))
    areas_for_focus = forms.CharField(label="Areas for focus for the Joint Area Review or next assessment (one per line)",
                                      required=False, widget=forms.Textarea(attrs={"rows": 2}))
    indicator_codes = forms.CharField(label="Evidence: indicators (LAIT codes, one per line)", required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    documents = forms.MultipleChoiceField(label="Evidence: documents", required=False,
                                          widget=forms.CheckboxSelectMultiple)
    link_self_assessment = forms.BooleanField(label="Evidence: the authority's self-assessment for this area",
                                              required=False)

    def __init__(self, *args, grades=(), documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", "Not yet graded")] + [(g.value, f"{g.value} {g.label}") for g in grades]
        self.fields["documents"].choices = [(str(d.pk), d.title) for d in documents]


class CommentForm(GovukMixin, forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput, required=False)
    judgement = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label="Your comment on factual accuracy", widget=forms.Textarea(attrs={"rows": 2}))


class RepresentationForm(GovukMixin, forms.Form):
    kind = forms.ChoiceField(label="The representation is about", choices=[("grade", "A grade"), ("factual", "Factual accuracy")])
    area = forms.ChoiceField(label="Judgement area", required=False)
    text = forms.CharField(label="Your representation", widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "Not about one area")] + [(a.code, a.title) for a in areas]


class DecisionForm(GovukMixin, forms.Form):
    representation = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label="Decision", choices=[("upheld", "Upheld"), ("not_upheld", "Not upheld")])
    new_grade = forms.TypedChoiceField(label="New grade (if a grade representation is upheld)", required=False,
                                       coerce=int, empty_value=None)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_grade"].choices = [("", "No change")] + [(g.value, f"{g.value} {g.label}") for g in grades]


class GradeChangeForm(GovukMixin, forms.Form):
    judgement = forms.IntegerField(widget=forms.HiddenInput)
    to_grade = forms.TypedChoiceField(label="Moderated grade", coerce=int)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_grade"].choices = [(g.value, f"{g.value} {g.label}") for g in grades]
