"""Moving a whole project, with its history, between Tailorkit sites (issue 3, point 10):
``format`` (what the file holds and the checks an import makes), ``export`` and ``imports``."""

from .export import project_export
from .imports import ImportResult, project_import

__all__ = ["ImportResult", "project_export", "project_import"]
