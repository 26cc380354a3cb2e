"""Sign in (throttled by django-axes), sign out and password reset (limited, apa.accounts.throttle), with GOV.UK
templates. Email goes through Django's email backend."""

from django.contrib.auth import views as auth
from django.http import HttpResponseRedirect
from django.shortcuts import render

from apa.ui.access import PUBLIC, public, signed_in

from .forms import GovukAuthenticationForm, GovukPasswordResetForm, GovukSetPasswordForm
from .throttle import client_ip, password_reset_claim


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
    """Sends the link only within the limits (apa.accounts.throttle); the answer is the same "Check your email"
    whether or not an account has the address and whether or not a limit was reached."""

    access = PUBLIC
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = GovukPasswordResetForm

    def form_valid(self, form):
        if password_reset_claim(email=form.cleaned_data["email"], ip=client_ip(self.request)):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


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


def locked_out(request, response=None, credentials=None):
    """django-axes' answer once a username or an address is locked out (settings.AXES_LOCKOUT_CALLABLE): a
    GOV.UK page, 429, the same for every username, whether or not it has an account."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@signed_in
def account(request):
    return render(request, "accounts/account.html", {})


__all__ = ["SignIn", "SignOut", "PasswordReset", "PasswordResetDone", "PasswordResetConfirm",
           "PasswordResetComplete", "account", "locked_out", "public"]
