from django.urls import path

from . import views

urlpatterns = [
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/moderation/", views.moderation, name="moderation"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/self-assessment/", views.self_assessment, name="self_assessment"),
    path("assessments/<int:pk>/review/", views.review, name="review"),
    path("assessments/<int:pk>/letter/", views.draft_letter, name="draft_letter"),
    path("assessments/<int:pk>/letter.pdf", views.draft_letter_pdf, name="draft_letter_pdf"),
    path("assessments/<int:pk>/representation/", views.representation, name="representation"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("my-work/", views.my_work, name="my_work"),
]
