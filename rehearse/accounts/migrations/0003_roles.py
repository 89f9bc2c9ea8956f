"""Create the learner, author and moderator groups with their permissions."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from rehearse.accounts.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_token_version"),
        ("questions", "0003_question_transition"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
