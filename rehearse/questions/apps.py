from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "rehearse.questions"
    label = "questions"
    verbose_name = "Question bank"

    def ready(self) -> None:
        # Imported here: signal handlers need the models, which are not ready earlier.
        from rehearse.questions import signals

        signals.connect()
