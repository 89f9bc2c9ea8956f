from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "rehearse.practice"
    label = "practice"
    verbose_name = "Practice"
