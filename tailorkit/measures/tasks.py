"""Background work for measures (run by ``manage.py worker``; immediately under pytest).

As in the other apps, a task takes and returns ids and words only: django-tasks-db keeps arguments
and results in its table, and so in backups. The uploaded file waits in its ``MeasureUpload`` row,
which is cleared once the file is stored or refused.
"""

from django_tasks import task


@task()
def run_measure_upload(upload_id):
    """Check a queued upload or store a confirmed one; returns its status ("ready", "done", …)."""
    from .services.uploads import measure_upload_run

    return measure_upload_run(upload_id=upload_id)
