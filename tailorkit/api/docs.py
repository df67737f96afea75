"""The API reference page.

ninja's Swagger and Redoc pages need their JavaScript from a CDN (or ninja in INSTALLED_APPS) and
our Content-Security-Policy allows scripts from our own origin only. A server-rendered page built
from the same OpenAPI schema needs no script at all, works with assistive technology, and uses
the site's layout; the machine-readable schema stays at openapi.json for tools.
"""

from django.shortcuts import render
from django.urls import reverse
from ninja.openapi.docs import DocsBase

METHODS = ("get", "post", "put", "patch", "delete")


def _operations(schema):
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            yield {
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [
                    {"name": p["name"], "in": p["in"], "required": p.get("required", False),
                     "description": p.get("description") or p.get("schema", {}).get("description", "")}
                    for p in op.get("parameters", [])
                ],
                "responses": [
                    {"status": status, "description": resp.get("description", "")}
                    for status, resp in op.get("responses", {}).items()
                ],
                "tag": (op.get("tags") or [""])[0],
            }


class ServerRenderedDocs(DocsBase):
    def render_page(self, request, api, **kwargs):
        schema = api.get_openapi_schema(path_params=kwargs)
        return render(request, "api/docs.html", {
            "api": api,
            "operations": list(_operations(schema)),
            "openapi_url": reverse(f"{api.urls_namespace}:openapi-json", kwargs=kwargs),
        })
