from django.apps import AppConfig


class KatasConfig(AppConfig):
    name = "rehearse.katas"
    label = "katas"
    verbose_name = "Recursion katas"

    def ready(self) -> None:
        # Imported here: the module registers a system check on import.
        from rehearse.katas import slots  # noqa: F401
