from django.urls import path

from . import cpa_views, jar_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("about-the-data/", views.about_data, name="about_data"),
    path("authorities/<str:dfe_code>/", views.authority_detail, name="authority_detail"),
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/<slug:code>/", views.framework_detail, name="framework_detail"),
    path("results/cpa/", cpa_views.cpa_feed_page, name="cpa_feed"),  # before results/<code>/, which would take it
    path("results/<slug:code>/", views.national_results, name="national_results"),
    path("results/<slug:code>/<int:year>/", views.national_results, name="national_results_year"),
    path("compare/", views.compare, name="compare"),
    path("corrections/<int:pk>/", views.result_correction, name="result_correction"),
    path("letters/<str:dfe_code>/<slug:code>/<str:key>/", views.published_letter, name="published_letter"),
    path("letters/<str:dfe_code>/<slug:code>/<str:key>/letter.pdf", views.published_letter, name="published_letter_pdf"),
    path("letters/<str:dfe_code>/<slug:code>/<str:key>/v<int:version>/", views.published_letter, name="letter_version"),
    path("letters/<str:dfe_code>/<slug:code>/<str:key>/v<int:version>/letter.pdf", views.published_letter,
         name="letter_version_pdf"),
    path("joint-area-review/<str:dfe_code>/<slug:code>/<str:key>/", jar_views.risk_assessment,
         name="jar_risk_assessment"),
    path("joint-area-review/<str:dfe_code>/<slug:code>/<str:key>/record/", jar_views.jar_record, name="jar_record"),
]
