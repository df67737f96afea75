"""Admin pages are read-mostly: packs change only through `pack_load`, so fields cannot be edited here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Category, ContentPack, Item, Link


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContentPack)
class ContentPackAdmin(ReadOnlyAdmin):
    list_display = ["slug", "name", "version", "kind", "is_builtin", "loaded_at"]
    list_filter = ["kind", "is_builtin"]
    search_fields = ["slug", "name"]

    def has_delete_permission(self, request, obj=None):
        # Removing a wrongly uploaded pack is the one edit allowed here.
        return request.user.is_superuser


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "pack", "order"]
    list_filter = ["pack"]
    search_fields = ["code", "name"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "pack", "category"]
    list_filter = ["pack"]
    search_fields = ["code", "name"]


@admin.register(Link)
class LinkAdmin(ReadOnlyAdmin):
    list_display = ["from_item", "to_item", "weight", "kind", "pack"]
    list_filter = ["pack", "kind"]
    raw_id_fields = ["from_item", "to_item"]
