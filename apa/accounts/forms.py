from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from apa.ui.forms import GovukMixin


class GovukAuthenticationForm(GovukMixin, AuthenticationForm):
    pass


class GovukPasswordResetForm(GovukMixin, PasswordResetForm):
    pass


class GovukSetPasswordForm(GovukMixin, SetPasswordForm):
    pass
