from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("apa.web.urls")),
    path("", include("apa.indicators.urls")),
    path("", include("apa.assessments.urls")),
    path("", include("apa.councils.urls")),
]

handler403 = "apa.web.views.error_403"
handler404 = "apa.web.views.error_404"
handler500 = "apa.web.views.error_500"
