from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("about-the-data/", views.about_data, name="about_data"),
    path("authorities/<str:dfe_code>/", views.authority_detail, name="authority_detail"),
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/<slug:code>/", views.framework_detail, name="framework_detail"),
    path("results/<slug:code>/", views.national_results, name="national_results"),
    path("results/<slug:code>/<int:year>/", views.national_results, name="national_results_year"),
    path("compare/", views.compare, name="compare"),
    path("corrections/<int:pk>/", views.result_correction, name="result_correction"),
    path("letters/<str:dfe_code>/<slug:code>/<str:key>/", views.published_letter, name="published_letter"),
    path("letters/<str:dfe_code>/<slug:code>/<str:key>/letter.pdf", views.published_letter, name="published_letter_pdf"),
    path("letters/<str:dfe_code>/<slug:code>/<str:key>/v<int:version>/", views.published_letter, name="letter_version"),
    path("letters/<str:dfe_code>/<slug:code>/<str:key>/v<int:version>/letter.pdf", views.published_letter,
         name="letter_version_pdf"),
]
