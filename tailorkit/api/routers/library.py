"""The content library. It is instance-wide reference content, not owned by any organisation, so
every signed-in caller may read all of it (DESIGN.md, "library feeds projects")."""

from django.db.models import Q
from django.http import Http404
from ninja import Query, Router
from ninja.pagination import paginate

from tailorkit.library import selectors
from tailorkit.library.models import Category, ContentPack

from ..pagination import BoundedLimitOffsetPagination
from ..schemas.common import INVALID, NOT_FOUND, UNAUTHORISED, Code, Slug
from ..schemas.library import CategoryOut, ItemFilters, ItemOut, LinkFilters, LinkOut, PackOut

router = Router(tags=["library"])


def _pack_or_404(pack_slug):
    pack = selectors.pack_or_none(pack_slug)
    if pack is None:
        raise Http404
    return pack


@router.get("/library/packs", response={200: list[PackOut], **UNAUTHORISED}, summary="Content packs")
def pack_list(request):
    return ContentPack.objects.all()


@router.get("/library/packs/{pack_slug}", response={200: PackOut, **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="One content pack")
def pack_detail(request, pack_slug: Slug):
    return _pack_or_404(pack_slug)


@router.get("/library/packs/{pack_slug}/categories",
            response={200: list[CategoryOut], **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="Categories of a pack")
def category_list(request, pack_slug: Slug):
    pack = _pack_or_404(pack_slug)
    return Category.objects.filter(pack=pack).select_related("parent")


@router.get("/library/packs/{pack_slug}/items",
            response={200: list[ItemOut], **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="Items of a pack")
@paginate(BoundedLimitOffsetPagination)
def item_list(request, pack_slug: Slug, filters: Query[ItemFilters]):
    pack = _pack_or_404(pack_slug)
    items = selectors.items().filter(pack=pack)
    q = filters.q.strip()
    if q:
        items = items.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(description__icontains=q))
    if filters.category:
        items = items.filter(category__code=filters.category)
    return items


@router.get("/library/packs/{pack_slug}/items/{item_code}",
            response={200: ItemOut, **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="One item of a pack")
def item_detail(request, pack_slug: Slug, item_code: Code):
    pack = _pack_or_404(pack_slug)
    item = selectors.item_in(pack.slug, item_code)
    if item is None:
        raise Http404
    return item


@router.get("/library/links", response={200: list[LinkOut], **UNAUTHORISED, **INVALID},
            summary="Links between items")
@paginate(BoundedLimitOffsetPagination)
def link_list(request, filters: Query[LinkFilters]):
    links = selectors.links()
    if filters.from_pack:
        links = links.filter(from_item__pack__slug=filters.from_pack)
    if filters.to_pack:
        links = links.filter(to_item__pack__slug=filters.to_pack)
    return links
