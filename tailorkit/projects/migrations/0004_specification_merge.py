"""One specification field per concept (issue 10): TIDieR's "why" also holds Proctor's
justification, "who provided" the actor, "when and how much" the temporality and the dose.

The text of the four dropped columns is moved into the kept ones first, in the live rows and in
their history, so nothing is lost: when both are filled, the kept text comes first and the former
one follows on its own paragraph, headed with its Proctor name. The merge is written out here
rather than imported, so that this migration keeps doing what it did when the model changes.
"""

from django.db import migrations, models

MERGED = {"why": ["justification"], "who_provides": ["actor"], "when_how_much": ["temporality", "dose"]}
LABELS = {"justification": "Justification", "actor": "Actor", "temporality": "Temporality", "dose": "Dose"}


def merged_values(row):
    changes = {}
    for kept, dropped in MERGED.items():
        old = [(name, (getattr(row, name) or "").strip()) for name in dropped]
        old = [(name, text) for name, text in old if text]
        if not old:
            continue
        own = (getattr(row, kept) or "").strip()
        if not own and len(old) == 1:
            changes[kept] = old[0][1]
            continue
        parts = [own] if own else []
        parts += [f"{LABELS[name]}: {text}" for name, text in old if text != own]
        changes[kept] = "\n\n".join(parts)
    return changes


def forwards(apps, schema_editor):
    for name in ("Specification", "HistoricalSpecification"):
        model = apps.get_model("projects", name)
        pk = "history_id" if name.startswith("Historical") else "id"
        rows = model.objects.exclude(justification="", actor="", temporality="", dose="")
        for row in rows.iterator():
            changes = merged_values(row)
            if changes:
                model.objects.filter(**{pk: getattr(row, pk)}).update(**changes)


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0003_project_completed_stopped"),
    ]

    operations = [
        migrations.AlterField(model_name="historicalspecification", name="when_how_much",
                              field=models.TextField(blank=True, max_length=12500)),
        migrations.AlterField(model_name="historicalspecification", name="who_provides",
                              field=models.TextField(blank=True, max_length=12500)),
        migrations.AlterField(model_name="historicalspecification", name="why",
                              field=models.TextField(blank=True, max_length=12500)),
        migrations.AlterField(model_name="specification", name="when_how_much",
                              field=models.TextField(blank=True, max_length=12500)),
        migrations.AlterField(model_name="specification", name="who_provides",
                              field=models.TextField(blank=True, max_length=12500)),
        migrations.AlterField(model_name="specification", name="why",
                              field=models.TextField(blank=True, max_length=12500)),
        # No way back: the merged text cannot be split into its columns again.
        migrations.RunPython(forwards, migrations.RunPython.noop),
        *(migrations.RemoveField(model_name=model, name=name)
          for model in ("historicalspecification", "specification")
          for name in ("actor", "dose", "justification", "temporality")),
    ]
