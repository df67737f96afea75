"""Background work for projects (run by ``manage.py worker``; immediately under pytest).

As in the other apps, a task takes and returns ids and words only: django-tasks-db keeps arguments
and results in its table, and so in backups. The uploaded file waits in its ``ProjectImport`` row,
which is cleared when the import is finished.
"""

from django_tasks import task


@task()
def import_project_file(import_id):
    """Import the file of one ``ProjectImport``; returns its status ("done", "failed", …)."""
    from .services.transfer.queued import project_import_run

    return project_import_run(import_id=import_id)


@task()
def make_summary_pdf(project_id, user_id, language):
    """Make the PDF of a project's summary as ``user_id`` sees it, in ``language``, and keep it in the
    ``pdfs`` cache for the request that asked (``services.summary``); returns "made", "kept" or "refused"."""
    from .services.summary import summary_pdf_make

    return summary_pdf_make(project_id=project_id, user_id=user_id, language=language)
