from django.urls import path

from . import accounts, views

urlpatterns = [
    path("", views.home, name="home"),
    path("about-the-data/", views.about_data, name="about_data"),
    path("authorities/", views.authority_list, name="authority_list"),
    path("authorities/<str:dfe_code>/", views.authority_detail, name="authority_detail"),
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/<slug:code>/", views.framework_detail, name="framework_detail"),
    path("results/<slug:code>/", views.national_results, name="national_results"),
    path("results/<slug:code>/<int:year>/", views.national_results, name="national_results_year"),
    path("compare/", views.compare, name="compare"),
    path("account/sign-in/", accounts.SignIn.as_view(), name="login"),
    path("account/sign-out/", accounts.SignOut.as_view(), name="logout"),
    path("account/password-reset/", accounts.PasswordReset.as_view(), name="password_reset"),
    path("account/password-reset/sent/", accounts.PasswordResetDone.as_view(), name="password_reset_done"),
    path("account/reset/<uidb64>/<token>/", accounts.PasswordResetConfirm.as_view(), name="password_reset_confirm"),
    path("account/reset/done/", accounts.PasswordResetComplete.as_view(), name="password_reset_complete"),
    path("account/", accounts.account, name="account"),
]
