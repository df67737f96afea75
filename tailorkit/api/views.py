"""The pages for personal API tokens: make one (shown once), list them, revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tailorkit.core.errors import add_to_form, flash

from . import services
from .forms import TokenForm
from .models import ApiToken


@login_required
def api_tokens(request):
    form = TokenForm(request.POST or None, user=request.user)
    raw_token = new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            new_token, raw_token = services.token_create(
                user=request.user, name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"], request=request)
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            # The raw token goes straight into this response and nowhere else: redirecting would
            # mean parking it in the session table, in plain text, until the next page load.
            form = TokenForm(user=request.user)
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(request, "api/tokens.html", {
        "form": form, "tokens": tokens, "raw_token": raw_token, "new_token": new_token,
    })
    if raw_token:
        # Keep the secret out of browser and proxy caches.
        response["Cache-Control"] = "no-store"
    return response


@login_required
def api_token_revoke(request, token_id):
    # Filtering by owner makes another person's token indistinguishable from a missing one (404).
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if token.is_revoked:
        messages.info(request, _("The token “%(name)s” was already revoked.") % {"name": token.name})
        return redirect("api:api_tokens")
    if request.method == "POST":
        try:
            services.token_revoke(token=token, user=request.user, request=request)
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, _("The token “%(name)s” was revoked. Scripts using it can no longer "
                                        "reach the API.") % {"name": token.name})
        return redirect("api:api_tokens")
    return render(request, "api/token_revoke.html", {"token": token})
