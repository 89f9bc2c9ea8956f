from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    from rehearse.accounts.roles import sync_roles

    sync_roles()


class AccountsConfig(AppConfig):
    name = "rehearse.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # After every migrate (and every flush, which emits post_migrate too) the
        # role groups match roles.py again.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="rehearse.sync_roles")
