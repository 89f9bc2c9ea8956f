"""Roles (RBAC) as Django groups, and the permissions each one grants.

One table says what each role may do; a migration and ``rehearse sync-roles`` make
the database match it. Admins are not a group: ``is_staff`` users manage users and
roles (through the admin and ``/api/v1/users/``).

| role      | may                                                                    |
|-----------|------------------------------------------------------------------------|
| learner   | practise (every account has this role)                                 |
| author    | create questions; edit, delete and submit their own drafts             |
| moderator | edit any question; publish, reject (with a reason) and unpublish       |
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.contrib.auth.management import create_permissions
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from rehearse.core.exceptions import DomainError

if TYPE_CHECKING:
    from django.apps.registry import Apps

    from rehearse.accounts.models import User

logger = logging.getLogger(__name__)


class Role(StrEnum):
    LEARNER = "learner"
    AUTHOR = "author"
    MODERATOR = "moderator"


ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.LEARNER: (),
    Role.AUTHOR: (
        "questions.add_question",
        "questions.change_question",
        "questions.delete_question",
    ),
    Role.MODERATOR: (
        "questions.add_question",
        "questions.change_question",
        "questions.delete_question",
        "questions.moderate_question",
        "questions.view_questiontransition",
    ),
}


def sync_roles(apps: Apps | None = None) -> dict[Role, list[str]]:
    """Create the role groups and give each exactly the permissions of the table.

    Works with the live app registry or, from a migration, with the historical one.
    Returns what each group holds afterwards.
    """
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    group_model: Any = apps.get_model("auth", "Group")
    permission_model: Any = apps.get_model("auth", "Permission")
    # Permissions are normally created after migrations (post_migrate); a migration
    # that assigns them must create them first.
    for app_label in ("questions", "accounts"):
        app_config: Any = apps.get_app_config(app_label)
        # A migration's app configs are stubs without models_module, which
        # create_permissions checks before doing anything.
        stub = getattr(app_config, "models_module", None) is None
        if stub:
            app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        if stub:
            app_config.models_module = None
    result: dict[Role, list[str]] = {}
    with transaction.atomic():
        for role, names in ROLE_PERMISSIONS.items():
            group, _ = group_model.objects.get_or_create(name=role.value)
            permissions = [
                permission_model.objects.get(
                    content_type__app_label=name.split(".")[0], codename=name.split(".")[1]
                )
                for name in names
            ]
            group.permissions.set(permissions)
            result[role] = sorted(names)
    return result


def _group(role: Role) -> Any:
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=role.value).first()
    if group is None:
        # The migration creates the groups; a database flushed since (tests that
        # truncate tables) gets them back on first use.
        sync_roles()
        group = Group.objects.get(name=role.value)
    return group


def grant_role(user: User, role: Role) -> None:
    user.groups.add(_group(role))


def revoke_role(user: User, role: Role) -> None:
    user.groups.remove(_group(role))


def roles_of(user: User) -> list[str]:
    names = {group.name for group in user.groups.all()}
    return [role.value for role in Role if role.value in names]


class SelfLockout(DomainError):
    """An admin tried to deactivate their own account (and would lock themselves out)."""


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[Role | str], by: User) -> list[str]:
    """Make ``user``'s roles exactly ``roles`` plus learner; return them.

    Groups that are not roles (made by hand in the admin) are left alone. The user's
    row is locked so that two admins setting roles at once end with one of the two
    sets, not a mixture.
    """
    from django.contrib.auth.models import Group

    from rehearse.accounts.models import User as UserModel

    wanted = {Role(role) for role in roles} | {Role.LEARNER}
    UserModel.objects.select_for_update().filter(pk=user.pk).first()
    groups = {group.name: group for group in Group.objects.filter(name__in=list(Role))}
    missing = sorted(set(Role) - groups.keys())
    if missing:
        raise ImproperlyConfigured(
            f"The role groups {missing} do not exist: run `rehearse sync-roles`."
        )
    user.groups.remove(*(groups[role] for role in Role if role not in wanted))
    user.groups.add(*(groups[role] for role in wanted))
    names = roles_of(user)
    logger.info("roles of user %s set to %s by user %s", user.pk, names, by.pk)
    return names


@transaction.atomic
def user_admin_update(*, user: User, by: User, **changes: Any) -> User:
    """An admin changes another account's profile or activity.

    Deactivating an account also revokes every token it holds, so it is signed out
    everywhere at once rather than when its access tokens expire. An admin may not
    deactivate their own account: another admin has to.
    """
    from rehearse.accounts.tokens import user_revoke_all_tokens

    deactivating = user.is_active and changes.get("is_active") is False
    if deactivating and user.pk == by.pk:
        raise SelfLockout("You cannot deactivate your own account; another admin can.")
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(changes))
    if deactivating:
        user_revoke_all_tokens(user=user)
    logger.info("user %s changed by user %s: %s", user.pk, by.pk, sorted(changes))
    return user
