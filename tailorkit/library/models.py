"""Content packs: determinant taxonomies, strategy catalogues, frameworks and the links between them.

The library is instance-wide, not owned by an organisation: everyone may read it, only staff may
load packs. Packs are written as YAML files (see docs/content-packs.md) and loaded by
`services.pack_load`, which is the only writer.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tailorkit.core.history import HistoricalRecords


class PackKind(models.TextChoices):
    DETERMINANTS = "determinants", _("Determinants (barriers and enablers)")
    STRATEGIES = "strategies", _("Implementation strategies")
    FRAMEWORK = "framework", _("Frameworks")
    PRINCIPLES = "principles", _("Guiding principles")
    CRITERIA = "criteria", _("Appraisal criteria")
    SPECIFICATION = "specification", _("Specification checklists")
    LINKS = "links", _("Evidence links between packs")


class ContentPack(models.Model):
    """One versioned, cited body of reference content, loaded from a pack file."""

    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=40)
    language = models.CharField(_("language"), max_length=10, default="en")
    kind = models.CharField(_("kind"), max_length=20, choices=PackKind.choices)
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"))
    licence = models.TextField(_("licence"))
    checksum = models.CharField(_("checksum (SHA-256)"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_builtin = models.BooleanField(_("shipped with Tailorkit"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("content pack")
        verbose_name_plural = _("content packs")

    def __str__(self):
        return f"{self.name} ({self.version})"

    def get_absolute_url(self):
        return reverse("library:pack_detail", args=[self.slug])


class Category(models.Model):
    """A grouping inside a pack (a CFIR domain, an ERIC cluster); may nest one level or more."""

    pack = models.ForeignKey(ContentPack, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField(_("code"), max_length=80)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    order = models.IntegerField(_("order"), default=0)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    # Facts about the group itself, e.g. the cluster mean ratings printed in Waltz 2015 Table 1.
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pack", "order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["pack", "code"], name="library_category_code_unique")]

    def __str__(self):
        return self.name


class Item(models.Model):
    """One entry of a pack: a determinant, strategy, construct, principle, criterion or checklist item."""

    pack = models.ForeignKey(ContentPack, on_delete=models.CASCADE, related_name="items")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    code = models.CharField(_("code"), max_length=80)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    order = models.IntegerField(_("order"), default=0)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    # Facts from the source (ratings, numbers, quadrants). A key is absent when the source gives no
    # value: we never fill gaps with guesses, because teams weigh strategies by these numbers.
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    source = models.TextField(_("source"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pack", "order", "code"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [models.UniqueConstraint(fields=["pack", "code"], name="library_item_code_unique")]
        indexes = [models.Index(fields=["name"], name="library_item_name_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("library:item_detail", args=[self.pack.slug, self.code])

    @property
    def is_retired(self):
        return bool(self.attributes.get("retired"))


class Link(models.Model):
    """A directed, cited relation between two items, e.g. experts endorsing a strategy for a barrier."""

    pack = models.ForeignKey(ContentPack, on_delete=models.CASCADE, related_name="links")
    from_item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links_out")
    to_item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links_in")
    weight = models.FloatField(_("weight"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=40, default="expert_endorsement")
    source = models.TextField(_("source"))
    # Why the two items are linked, in one line of our own words. Required for crosswalk links
    # (kind "crosswalk"), which map a construct of one list onto its counterpart in another.
    rationale = models.TextField(_("rationale"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-weight", "pk"]
        verbose_name = _("link")
        verbose_name_plural = _("links")
        constraints = [
            models.UniqueConstraint(
                fields=["from_item", "to_item", "source"], name="library_link_unique"
            )
        ]

    def __str__(self):
        return f"{self.from_item} → {self.to_item}"
