from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("apa.accounts.urls")),
    path("", include("apa.authorities.urls")),
    path("", include("apa.publication.urls")),
    path("", include("apa.indicators.urls")),
    path("", include("apa.assessments.urls")),
    path("", include("apa.councils.urls")),
    path("", include("apa.plans.urls")),
    path("api/", include("apa.api.urls")),
    path("", include("apa.opendata.urls")),
    path("", include("apa.jobs.urls")),
]

handler403 = "apa.ui.views.error_403"
handler404 = "apa.ui.views.error_404"
handler500 = "apa.ui.views.error_500"
