from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apa.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
