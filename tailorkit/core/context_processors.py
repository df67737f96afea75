def tailorkit(request):
    from .permissions import organisations_for

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    org = getattr(request, "organisation", None)
    return {
        "my_organisations": organisations_for(user),
        "current_organisation": org if org else None,
    }
