from django.urls import path

from . import views

urlpatterns = [
    path("account/sign-in/", views.SignIn.as_view(), name="login"),
    path("account/sign-out/", views.SignOut.as_view(), name="logout"),
    path("account/password-reset/", views.PasswordReset.as_view(), name="password_reset"),
    path("account/password-reset/sent/", views.PasswordResetDone.as_view(), name="password_reset_done"),
    path("account/reset/<uidb64>/<token>/", views.PasswordResetConfirm.as_view(), name="password_reset_confirm"),
    path("account/reset/done/", views.PasswordResetComplete.as_view(), name="password_reset_complete"),
    path("account/", views.account, name="account"),
]
