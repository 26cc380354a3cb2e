from django.urls import path

from . import plan_views

urlpatterns = [
    path("councils/<str:dfe_code>/plan/", plan_views.plan_home, name="plan_home"),
    path("councils/<str:dfe_code>/plan/clinic/", plan_views.plan_clinic, name="plan_clinic"),
    path("councils/<str:dfe_code>/plan/progress/", plan_views.plan_progress, name="plan_progress"),
    path("councils/<str:dfe_code>/plan/progress.pdf", plan_views.plan_progress_pdf, name="plan_progress_pdf"),
    path("councils/<str:dfe_code>/plan/progress.csv", plan_views.plan_progress_csv, name="plan_progress_csv"),
    path("councils/<str:dfe_code>/plan/history/", plan_views.plan_history, name="plan_history"),
    path("plan/lines/<int:pk>/", plan_views.plan_line, name="plan_line"),
    path("plan/actions/<int:pk>/", plan_views.plan_action, name="plan_action"),
    path("alerts/", plan_views.alerts, name="alerts"),
]
