"""The "Add as candidate" button of one strategy for one barrier (step 2 and the catalogue).

Without JavaScript the POST redirects back to the page it came from at #add-<barrier>-<item>; with
htmx the same redirect is followed and only this slot (and the parts named in ``oob``, e.g. the
candidates) are swapped, with the message in #add-status.

Written in Python rather than as an included template: a barrier without evidence lists the whole
catalogue (73 ERIC strategies) with a button each, several barriers to a page, and the include cost
more than half of the step page's time (issue 11). The markup is the one the template made.
"""

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def add_button(context, barrier, item, add_url, oob=""):
    request = context["request"]
    slot = f"add-{barrier.pk}-{item.pk}"
    if item.pk in (context.get("taken") or ()):
        inner = format_html('<span class="badge badge-done">{}</span>', _("Candidate"))
    elif context.get("read_only"):
        inner = ""
    else:
        # One token per request: the same value in every form of the page is as safe as one per form.
        token = getattr(request, "_add_button_csrf", None)
        if token is None:
            token = request._add_button_csrf = get_token(request)
        inner = format_html(
            '<form method="post" action="{url}" class="inline-form" hx-post="{url}" hx-target="#{slot}" '
            'hx-select="#{slot}" hx-swap="outerHTML" hx-select-oob="#add-status:innerHTML{oob}">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
            '<input type="hidden" name="item" value="{item}"><input type="hidden" name="next_url" value="{next}">'
            '<button type="submit" class="outline" aria-label="{label}">{text}</button></form>',
            url=add_url, slot=slot, oob=f",{oob}" if oob else "", token=token, item=item.pk,
            next=context.get("next_url") or request.get_full_path(),
            label=_("Add %(name)s as a candidate") % {"name": item.name}, text=_("Add as candidate"))
    return format_html('<span id="{}" class="add-slot">{}</span>', slot, inner)
