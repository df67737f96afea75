def tailorkit(request):
    from .permissions import organisations_for

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        # The sign-in page says how to get an account: sign-up is by invitation unless the instance
        # opened it (core/adapters.py). Lazy, so pages that do not ask pay nothing.
        return {"signup_open": lambda: _signup_open(request)}
    org = getattr(request, "organisation", None)
    return {
        "my_organisations": organisations_for(user),
        "current_organisation": org if org else None,
    }


def _signup_open(request):
    from allauth.account.adapter import get_adapter

    return get_adapter(request).is_open_for_signup(request)
