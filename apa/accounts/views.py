"""Sign in, sign out and password reset, with GOV.UK templates. Email goes through Django's email backend."""

from django.contrib.auth import views as auth
from django.shortcuts import render

from apa.ui.access import PUBLIC, public, signed_in

from .forms import GovukAuthenticationForm, GovukPasswordResetForm, GovukSetPasswordForm


class SignIn(auth.LoginView):
    access = PUBLIC
    template_name = "accounts/sign_in.html"
    authentication_form = GovukAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from django.conf import settings

        context = super().get_context_data(**kwargs)
        if settings.DEBUG:  # demo accounts are listed only with the development settings
            from apa.accounts.models import User

            context["demo_accounts"] = User.objects.filter(is_active=True, username__startswith="demo-").order_by("username")
        return context


class SignOut(auth.LogoutView):
    access = PUBLIC


class PasswordReset(auth.PasswordResetView):
    access = PUBLIC
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = GovukPasswordResetForm


class PasswordResetDone(auth.PasswordResetDoneView):
    access = PUBLIC
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirm(auth.PasswordResetConfirmView):
    access = PUBLIC
    template_name = "accounts/password_reset_confirm.html"
    form_class = GovukSetPasswordForm


class PasswordResetComplete(auth.PasswordResetCompleteView):
    access = PUBLIC
    template_name = "accounts/password_reset_complete.html"


@signed_in
def account(request):
    return render(request, "accounts/account.html", {})


__all__ = ["SignIn", "SignOut", "PasswordReset", "PasswordResetDone", "PasswordResetConfirm",
           "PasswordResetComplete", "account", "public"]
