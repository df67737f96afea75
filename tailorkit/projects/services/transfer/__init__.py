"""Moving a whole project, with its history, between Tailorkit sites (issue 3, point 10):
``format`` (what the file holds and the checks an import makes), ``export``, ``imports`` (writing a
checked file as a project) and ``queued`` (imports run by the background worker, with progress)."""

from .export import project_export
from .imports import ImportResult, project_create_from_file, project_import
from .queued import project_import_queue, project_import_run, project_imports_prune, project_imports_resume

__all__ = ["ImportResult", "project_create_from_file", "project_export", "project_import", "project_import_queue",
           "project_import_run", "project_imports_prune", "project_imports_resume"]
