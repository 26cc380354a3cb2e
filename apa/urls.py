from django.urls import include, path

urlpatterns = [
    path("", include("apa.web.urls")),
]
