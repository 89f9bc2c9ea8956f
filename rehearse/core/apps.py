from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rehearse.core"
    label = "core"
    verbose_name = "rehearse core"
