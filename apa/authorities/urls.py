from django.urls import path

from . import views

urlpatterns = [
    path("authorities/", views.authority_list, name="authority_list"),
]
