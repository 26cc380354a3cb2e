from django.urls import path

from . import views

urlpatterns = [
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/letters/", views.letters_start, name="job_letters_start"),
    path("jobs/indicators/", views.indicators_start, name="job_indicators_start"),
    path("jobs/opendata/", views.opendata_start, name="job_opendata_start"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/files/<str:name>", views.job_file, name="job_file"),
]
