"""The ``rehearse`` console command: Django's manage.py, installed into the venv.

``rehearse migrate``, ``rehearse import-questions content/*.md``, ``rehearse runserver``:
every management command, with the local settings unless DJANGO_SETTINGS_MODULE says
otherwise.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
