"""Personal API tokens: how scripts and other systems call the API as a person."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tailorkit.core.history import HistoricalRecords


class ApiToken(models.Model):
    """A bearer token that acts as its owner. Only the SHA-256 hash is stored; the raw token is
    shown once, when it is created, and cannot be recovered afterwards."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the raw token (always "tk_" and five more), so that a person can tell
    # their tokens apart and match one against a script's configuration; too short to guess from.
    prefix = models.CharField(_("prefix"), max_length=8)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # Every token expires: a forgotten token in an old script stops working on its own.
    expires_at = models.DateTimeField(_("expires"))

    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()
