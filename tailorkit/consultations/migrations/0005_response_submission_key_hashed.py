"""Responses stored before submission keys were hashed carry the key their draft carried. Store
the keyed hash instead (the same as ``services.responding.stored_key``, copied here so that this
migration does not change if the service does), so that a backup with the old draft cannot be
matched to the response without the secret key. One way: the old keys cannot be recovered."""

import uuid

from django.db import migrations
from django.utils.crypto import salted_hmac

SALT = "tailorkit.consultations.submission_key"


def keyed(key):
    return uuid.UUID(bytes=salted_hmac(SALT, key.bytes, algorithm="sha256").digest()[:16])


def hash_submission_keys(apps, schema_editor):
    Response = apps.get_model("consultations", "Response")
    for pk, key in Response.objects.values_list("pk", "submission_key").iterator(chunk_size=2000):
        Response.objects.filter(pk=pk).update(submission_key=keyed(key))


class Migration(migrations.Migration):

    dependencies = [
        ("consultations", "0004_versions"),
    ]

    operations = [
        migrations.RunPython(hash_submission_keys, migrations.RunPython.noop),
    ]
