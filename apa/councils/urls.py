from django.urls import include, path

urlpatterns = [
    path("", include("apa.councils.urls_plan")),
]
