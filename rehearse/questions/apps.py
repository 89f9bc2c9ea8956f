from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "rehearse.questions"
    label = "questions"
    verbose_name = "Question bank"
