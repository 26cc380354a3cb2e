from django.urls import path

from . import views

urlpatterns = [
    path("open-data/", views.index, name="opendata_index"),
    path("open-data/latest/", views.latest, name="opendata_latest"),
    path("open-data/latest/<str:name>", views.latest, name="opendata_latest_file"),
    path("open-data/<int:number>/", views.release_page, name="opendata_release"),
    path("open-data/<int:number>/<str:name>", views.release_file, name="opendata_release_file"),
    path("open-data/indicators/latest/", views.indicators_latest, name="opendata_indicators_latest"),
    path("open-data/indicators/latest/<str:name>", views.indicators_latest, name="opendata_indicators_latest_file"),
    path("open-data/indicators/<int:number>/", views.indicators_page, name="opendata_indicators"),
    path("open-data/indicators/<int:number>/<str:name>", views.indicators_file, name="opendata_indicators_file"),
]
