from django.urls import path

from . import views

urlpatterns = [
    path("councils/<str:dfe_code>/plan/", views.plan_home, name="plan_home"),
    path("councils/<str:dfe_code>/plan/clinic/", views.plan_clinic, name="plan_clinic"),
    path("councils/<str:dfe_code>/plan/progress/", views.plan_progress, name="plan_progress"),
    path("councils/<str:dfe_code>/plan/progress.pdf", views.plan_progress_pdf, name="plan_progress_pdf"),
    path("councils/<str:dfe_code>/plan/progress.csv", views.plan_progress_csv, name="plan_progress_csv"),
    path("councils/<str:dfe_code>/plan/history/", views.plan_history, name="plan_history"),
    path("plan/lines/<int:pk>/", views.plan_line, name="plan_line"),
    path("plan/actions/<int:pk>/", views.plan_action, name="plan_action"),
    path("alerts/", views.alerts, name="alerts"),
]
