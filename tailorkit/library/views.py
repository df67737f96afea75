import zipfile
from collections import defaultdict

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import selectors
from .display import attribute_rows, citation, rated_keys
from .forms import PackUploadForm, SearchForm, WorkbookUploadForm
from .models import ContentPack, Item, PackKind
from .packfiles import Problem
from .services import PackError, links_pack_import_workbook, pack_delete, pack_delete_problems, pack_load


def library_home(request):
    packs = ContentPack.objects.annotate(
        n_items=Count("items", distinct=True), n_categories=Count("categories", distinct=True),
        n_links=Count("links", distinct=True),
    ).order_by("name")
    groups = defaultdict(list)
    for pack in packs:
        groups[pack.kind].append(pack)
    sections = [(label, groups[kind]) for kind, label in PackKind.choices if groups[kind]]
    return render(request, "library/home.html", {"sections": sections, "form": SearchForm()})


def _tree(pack):
    """Categories as nested (category, items, children) triples, plus items in no category."""
    items = list(pack.items.select_related("category").filter(parent__isnull=True))
    children = defaultdict(list)
    for child in pack.items.filter(parent__isnull=False).order_by("order", "code"):
        children[child.parent_id].append(child)
    by_category = defaultdict(list)
    for item in items:
        by_category[item.category_id].append((item, children[item.pk]))
    categories = list(pack.categories.all())
    sub = defaultdict(list)
    for category in categories:
        sub[category.parent_id].append(category)

    def node(category):
        return {"category": category, "items": by_category[category.pk],
                "children": [node(c) for c in sub[category.pk]]}

    return [node(c) for c in sub[None]], by_category[None]


def pack_detail(request, pack_slug):
    pack = get_object_or_404(ContentPack, slug=pack_slug)
    context = {"pack": pack}
    if pack.kind == PackKind.LINKS:
        context["links"] = pack.links.select_related("from_item__pack", "to_item__pack")
    else:
        context["tree"], context["loose_items"] = _tree(pack)
        context["n_items"] = pack.items.count()
    return render(request, "library/pack_detail.html", context)


def item_detail(request, pack_slug, item_code):
    item = selectors.item_in(pack_slug, item_code)
    if item is None:
        raise Http404
    pack_items = Item.objects.filter(pack=item.pack).only("attributes")
    links = selectors.links()
    return render(request, "library/item_detail.html", {
        "item": item, "pack": item.pack,
        "attributes": attribute_rows(item.attributes, item_source=item.source, always=rated_keys(pack_items)),
        "source_label": citation(item.source) if item.source else "",
        "children": item.children.all(),
        "links_out": links.filter(from_item=item), "links_in": links.filter(to_item=item),
    })


def _search(query, pack_slug):
    items, truncated = selectors.search(query, pack_slug)
    groups = defaultdict(list)
    for item in items:
        groups[item.pack].append(item)
    return list(groups.items()), truncated


def library_search(request):
    form = SearchForm(request.GET or None)
    query, pack_slug, groups, truncated = "", "", [], False
    if form.is_valid():
        query, pack_slug = form.cleaned_data["q"].strip(), form.cleaned_data["pack"]
        if query:
            groups, truncated = _search(query, pack_slug)
    context = {"form": form, "query": query, "pack_slug": pack_slug, "groups": groups, "truncated": truncated,
               "packs": ContentPack.objects.exclude(kind=PackKind.LINKS).order_by("name"),
               "n_results": sum(len(items) for _pack, items in groups)}
    template = "library/search.html#results" if request.htmx else "library/search.html"
    return render(request, template, context)


def pack_upload(request):
    _staff_only(request)
    form = PackUploadForm(request.POST or None, request.FILES or None)
    errors = []
    spreadsheet = False
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if _is_spreadsheet(upload):
            spreadsheet = True
            errors = [Problem(upload.name, "", "", _("is a spreadsheet. This form takes a pack.yaml file or a .zip "
                                                     "holding one; upload a matching workbook with the form below."))]
        else:
            try:
                result = pack_load(file=upload, user=request.user, request=request)
            except PackError as exc:
                errors = exc.errors
            else:
                messages.success(request, result.message)
                return redirect("library:pack_detail", pack_slug=result.pack.slug)
    return render(request, "library/upload.html", {"form": form, "errors": errors, "spreadsheet": spreadsheet},
                  status=400 if errors else 200)


SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


def _is_spreadsheet(upload):
    """A workbook sent to the pack form: by its name, or a zip holding an Excel workbook's parts."""
    if upload.name.lower().endswith(SPREADSHEET_SUFFIXES):
        return True
    try:
        with zipfile.ZipFile(upload) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        upload.seek(0)


def _staff_only(request):
    # Staff only; everyone else gets 404 so the pages do not reveal themselves (as pack_upload).
    if not request.user.is_staff:
        raise Http404


def workbook_upload(request):
    """A wide matrix such as the CFIR–ERIC Matching Tool workbook → a new or newer links pack."""
    _staff_only(request)
    initial = {}
    replace = ContentPack.objects.filter(kind=PackKind.LINKS, slug=request.GET.get("replace", "")).first()
    if replace:
        initial = {"mode": WorkbookUploadForm.REPLACE, "replace_pack": replace.slug, "name": replace.name,
                   "source": replace.source, "licence": replace.licence}
        first = replace.links.select_related("from_item__pack", "to_item__pack").first()
        if first:
            initial.update(from_pack=first.from_item.pack.slug, to_pack=first.to_item.pack.slug,
                           link_source=first.source)
    form = WorkbookUploadForm(request.POST or None, request.FILES or None, initial=initial)
    errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = links_pack_import_workbook(
                file=data["file"], from_pack=data["from_pack"], to_pack=data["to_pack"], slug=form.target_slug,
                name=data["name"], version=data["version"], source=data["source"], licence=data["licence"],
                link_source=data["link_source"], replace=data["mode"] == form.REPLACE,
                user=request.user, request=request)
        except PackError as exc:
            errors = exc.errors
        else:
            messages.success(request, result.message)
            return redirect("library:pack_detail", pack_slug=result.pack.slug)
    return render(request, "library/workbook_upload.html", {"form": form, "errors": errors, "replace": replace},
                  status=400 if errors else 200)


def pack_delete_confirm(request, pack_slug):
    """GET: what deleting the pack removes, or why it cannot be deleted. POST: delete it."""
    _staff_only(request)
    pack = get_object_or_404(ContentPack, slug=pack_slug)
    errors = pack_delete_problems(pack)
    if request.method == "POST" and not errors:
        try:
            pack_delete(pack=pack, user=request.user, request=request)
        except PackError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("%(pack)s %(version)s was deleted.") % {"pack": pack.name,
                                                                                 "version": pack.version})
            return redirect("library:library_home")
    context = {"pack": pack, "errors": errors, "n_links": pack.links.count(), "n_items": pack.items.count()}
    return render(request, "library/pack_delete.html", context,
                  status=400 if errors and request.method == "POST" else 200)
