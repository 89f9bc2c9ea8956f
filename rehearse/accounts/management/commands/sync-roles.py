"""``rehearse sync-roles``: make the role groups hold exactly the permissions of roles.py."""

from typing import Any

from django.core.management.base import BaseCommand

from rehearse.accounts.roles import sync_roles


class Command(BaseCommand):
    help = "Create or update the learner/author/moderator groups and their permissions."

    def handle(self, *args: Any, **options: Any) -> None:
        for role, permissions in sync_roles().items():
            self.stdout.write(f"{role}: {', '.join(permissions) or '(no extra permissions)'}")
