from django.urls import path

from . import views

urlpatterns = [
    path("councils/<str:dfe_code>/", views.council_home, name="council_home"),
    path("councils/<str:dfe_code>/call-in-rule/", views.rule_edit, name="rule_edit"),
    path("councils/<str:dfe_code>/reports/new/", views.report_new, name="report_new"),
    path("councils/<str:dfe_code>/decisions/new/", views.decision_new, name="decision_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("reports/<int:pk>/report.docx", views.report_docx, name="report_docx"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
]
