from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tailorkit.api"
    label = "api"
    verbose_name = "API"
