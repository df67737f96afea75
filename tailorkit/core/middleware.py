from django.utils.functional import SimpleLazyObject


def _current_organisation(request):
    from .permissions import organisations_for

    user = request.user
    if not user.is_authenticated:
        return None
    orgs = organisations_for(user)
    org_id = request.session.get("current_organisation")
    return (orgs.filter(pk=org_id).first() if org_id else None) or orgs.first()


class CurrentOrganisationMiddleware:
    """Sets ``request.organisation``: the organisation the user last switched to (or their first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = SimpleLazyObject(lambda: _current_organisation(request))
        return self.get_response(request)
