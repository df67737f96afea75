"""The content library. It is instance-wide reference content, not owned by any organisation, so
every signed-in caller may read all of it (DESIGN.md, "library feeds projects")."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router
from ninja.pagination import paginate

from tailorkit.library.models import Category, ContentPack, Item, Link

from ..pagination import BoundedLimitOffsetPagination
from ..schemas import (
    INVALID,
    NOT_FOUND,
    UNAUTHORISED,
    CategoryOut,
    Code,
    ItemOut,
    LinkOut,
    PackOut,
    SearchText,
    Slug,
)

router = Router(tags=["library"])


def _pack_or_404(pack_slug):
    return get_object_or_404(ContentPack, slug=pack_slug)


@router.get("/library/packs", response={200: list[PackOut], **UNAUTHORISED}, summary="Content packs")
def pack_list(request):
    return ContentPack.objects.all()


@router.get("/library/packs/{pack_slug}", response={200: PackOut, **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="One content pack")
def pack_detail(request, pack_slug: Slug = Path(...)):
    return _pack_or_404(pack_slug)


@router.get("/library/packs/{pack_slug}/categories",
            response={200: list[CategoryOut], **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="Categories of a pack")
def category_list(request, pack_slug: Slug = Path(...)):
    pack = _pack_or_404(pack_slug)
    return Category.objects.filter(pack=pack).select_related("parent")


@router.get("/library/packs/{pack_slug}/items",
            response={200: list[ItemOut], **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="Items of a pack")
@paginate(BoundedLimitOffsetPagination)
def item_list(request, pack_slug: Slug = Path(...), q: SearchText = Query("", description="Words in the code, name "
              "or description."), category: Code | None = Query(None, description="A category code of this pack.")):
    pack = _pack_or_404(pack_slug)
    items = Item.objects.filter(pack=pack).select_related("pack", "category", "parent")
    q = q.strip()
    if q:
        items = items.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(description__icontains=q))
    if category:
        items = items.filter(category__code=category)
    return items


@router.get("/library/packs/{pack_slug}/items/{item_code}",
            response={200: ItemOut, **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="One item of a pack")
def item_detail(request, pack_slug: Slug = Path(...), item_code: Code = Path(...)):
    pack = _pack_or_404(pack_slug)
    return get_object_or_404(Item.objects.select_related("pack", "category", "parent"), pack=pack, code=item_code)


@router.get("/library/links", response={200: list[LinkOut], **UNAUTHORISED, **INVALID},
            summary="Links between items")
@paginate(BoundedLimitOffsetPagination)
def link_list(request, from_pack: Slug | None = Query(None, description="Only links from items of this pack."),
              to_pack: Slug | None = Query(None, description="Only links to items of this pack.")):
    links = Link.objects.select_related("pack", "from_item__pack", "to_item__pack")
    if from_pack:
        links = links.filter(from_item__pack__slug=from_pack)
    if to_pack:
        links = links.filter(to_item__pack__slug=to_pack)
    return links
