"""Link tokens stay out of gunicorn's access log (gunicorn.conf.py): every URL pattern with a token
or key in its path is found here from the URL configuration, so a new one cannot be missed, and an
access line for it is formatted as gunicorn writes it."""

import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from gunicorn.config import Config

SECRET = "Zq3secretTOKENvalue-_x9"
SECRET_PARAMETERS = {"token", "key"}


@pytest.fixture(scope="module")
def gunicorn_conf():
    return runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))


def secret_routes():
    """Names of the URL patterns that carry a token or key, with a URL for each."""
    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name:
                names = set(getattr(p.pattern, "converters", {})) | set(p.pattern.regex.groupindex)
                if names & SECRET_PARAMETERS:
                    yield namespace + p.name, names

    routes = {}
    for name, parameters in walk(get_resolver().url_patterns):
        kwargs = {n: SECRET if n in SECRET_PARAMETERS else "2x" for n in parameters}
        routes[name] = reverse(name, kwargs=kwargs)
    return routes


def access_line(conf, path, referer="-"):
    """The access-log line gunicorn writes for a GET of ``path`` with the repository's settings."""
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("logger_class", conf["logger_class"])
    logger = cfg.logger_class(cfg)
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logger.access_log.addHandler(handler)
    path_only, _sep, query = path.partition("?")
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path_only, "QUERY_STRING": query,
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "192.0.2.7", "HTTP_REFERER": referer,
               "HTTP_USER_AGENT": "test"}
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("Location", "/c/form/")])
    request = SimpleNamespace(headers=[("REFERER", referer)])
    logger.access(response, request, environ, timedelta(milliseconds=3))
    assert len(lines) == 1
    return lines[0]


def test_every_link_with_a_token_is_found():
    routes = secret_routes()
    for name in ("consultations:consultation_invitation_open", "consultations:consultation_open_link",
                 "core:invitation_open", "account_confirm_email", "account_reset_password_from_key"):
        assert name in routes


@pytest.mark.parametrize("name", sorted(secret_routes()))
def test_the_access_log_masks_the_token(gunicorn_conf, name):
    path = secret_routes()[name]
    line = access_line(gunicorn_conf, path, referer=f"https://tailorkit.example.org{path}")
    assert SECRET not in line
    assert "[redacted]" in line and "192.0.2.7" in line and '" 302 ' in line


def test_other_paths_are_logged_as_they_are(gunicorn_conf):
    for path in ("/c/form/", "/c/thanks/", "/o/northside/consultations/", "/accounts/password/reset/key/done/",
                 "/invitation/"):
        assert f"GET {path} HTTP/1.1" in access_line(gunicorn_conf, path)
    # A secret link named in a query string (a "next" address) is masked too.
    line = access_line(gunicorn_conf, f"/accounts/login/?next=/invitation/{SECRET}/")
    assert SECRET not in line and "next=/invitation/[redacted]/" in line


def test_the_nginx_log_format_in_the_deploy_guide_masks_the_same_paths():
    import re

    guide = (Path(settings.BASE_DIR) / "docs" / "deploy.md").read_text()
    block = next(b for b in re.findall(r"```nginx\n(.*?)```", guide, re.S) if "map $request " in b)
    # nginx (PCRE) writes named groups as (?<name>…); Python's re as (?P<name>…).
    pattern = re.compile(re.search(r'"~(.*?)"\n', block).group(1).replace("(?<", "(?P<"))
    for name, path in secret_routes().items():
        match = pattern.match(f"GET {path} HTTP/1.1")
        assert match, name
        masked = f"{match['tk_head']}[redacted]{match['tk_tail']}"
        assert SECRET not in masked and masked.endswith("/ HTTP/1.1"), name
    assert pattern.match("GET /c/form/ HTTP/1.1") is None
