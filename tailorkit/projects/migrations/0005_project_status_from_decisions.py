"""Projects whose cycle already ended with a decision to stop, before the statuses "completed" and
"stopped" existed, get that status now (issue 10): the last decision of an active project decides,
as ``services.review.decision_record`` does for new decisions. Archived projects keep "archived";
restoring one reads its last decision. Written out here rather than imported, so that this
migration keeps doing what it did when the services change.
"""

from django.db import migrations

CLOSING = {"success": "completed", "stop_other": "stopped"}


def forwards(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Decision = apps.get_model("projects", "Decision")
    for project in Project.objects.filter(status="active").only("pk", "status").iterator():
        last = Decision.objects.filter(project_id=project.pk).order_by("-decided_at", "-pk").values("kind").first()
        if last and last["kind"] in CLOSING:
            Project.objects.filter(pk=project.pk).update(status=CLOSING[last["kind"]])


def backwards(apps, schema_editor):
    apps.get_model("projects", "Project").objects.filter(status__in=CLOSING.values()).update(status="active")


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_specification_merge")]
    operations = [migrations.RunPython(forwards, backwards)]
