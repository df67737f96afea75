"""Steps the browser journeys share."""


def sign_in(page, user, password):
    """Sign ``user`` in on the real sign-in page."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
