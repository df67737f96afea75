from django.utils.functional import SimpleLazyObject

# The session key of the organisation the user last opened or switched to.
CURRENT_ORGANISATION = "current_organisation"


def _current_organisation(request):
    from .permissions import organisations_for

    user = request.user
    if not user.is_authenticated:
        return None
    orgs = organisations_for(user)
    org_id = request.session.get(CURRENT_ORGANISATION)
    return (orgs.filter(pk=org_id).first() if org_id else None) or orgs.first()


def remember_organisation(request, organisation_id):
    """Make the organisation the user's current one for the next requests.

    Only a change is written: assigning a key marks the session modified even when the value is the
    same, and Django then saves the session row (an UPDATE) at the end of every page that calls this.
    """
    if request.session.get(CURRENT_ORGANISATION) != organisation_id:
        request.session[CURRENT_ORGANISATION] = organisation_id


class CurrentOrganisationMiddleware:
    """Sets ``request.organisation``: the organisation the user last switched to (or their first).
    It only reads the session; pages that change the current organisation call
    ``remember_organisation``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = SimpleLazyObject(lambda: _current_organisation(request))
        return self.get_response(request)
