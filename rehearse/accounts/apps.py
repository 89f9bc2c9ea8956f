from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rehearse.accounts"
    label = "accounts"
    verbose_name = "Accounts"
