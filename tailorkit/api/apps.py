"""The REST API app: personal tokens and the django-ninja API over the services."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tailorkit.api"
    label = "api"
    verbose_name = "API"
