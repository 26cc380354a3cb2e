"""Indicator pages, included at the site root. Codes may contain '/', '%', '<', ',' and spaces, so the
indicator page takes the rest of the path (`<path:code>`) and comes last."""

from django.urls import path

from . import views

urlpatterns = [
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/flags/", views.flag_list, name="indicator_flags"),
    path("indicators/flags/<int:pk>/", views.flag_detail, name="indicator_flag"),
    path("authorities/<str:dfe_code>/indicators/", views.authority_indicators, name="authority_indicators"),
    path("authorities/<str:dfe_code>/indicators/flag/", views.flag_new, name="indicator_flag_new"),
    path("indicators/<path:code>/", views.indicator_detail, name="indicator_detail"),
]
