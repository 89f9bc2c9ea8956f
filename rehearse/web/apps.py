from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rehearse.web"
    label = "web"
    verbose_name = "Study pages"
