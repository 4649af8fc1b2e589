"""The REST API, version 1: one NinjaAPI, with a router per part of the domain.

Errors are JSON ``{"detail": ..., "field": ...}``: a service's ``LiaisonError`` keeps its status (400, 401, 403,
404, 409); invalid input keeps django-ninja's 422 with its own ``detail`` list.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, renderers

from liaison.api import people, registry
from liaison.errors import LiaisonError

DESCRIPTION = """\
The registry of the federation (regions, sections, lineage) and its people.

**Authentication.** Send `Authorization: Bearer <token>`; a token is created, once, on the page /tokens/ of a
signed-in account (secretariat editors after their second factor), and acts with that account's roles. The
registry is public: without the header a request reads as anonymous. The API never reads the session cookie, so a
browser session does not authenticate here (and no CSRF token is needed). An unknown, revoked or malformed token is
refused with 401 and the reason, never read as anonymous.

**Errors.** 400, 401, 403, 404 and 409 answer `{"detail": "...", "field": "..."}`, the detail in the language of
`Accept-Language`; invalid input answers 422 with a list of problems.

The interactive docs page is disabled: it loads its script from a CDN, which the site's Content Security Policy
forbids. Read this schema with any OpenAPI viewer.
"""


class JSONRenderer(renderers.JSONRenderer):
    """JSON in UTF-8 as it is, not ASCII escapes: names in Cyrillic, Chinese or Arabic stay readable."""

    json_dumps_params = {"ensure_ascii": False}


# The docs page is off (docs_url=None): see DESCRIPTION. The schema stays at /api/v1/openapi.json.
api = NinjaAPI(
    title="Liaison API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,
    renderer=JSONRenderer(),
)
api.add_router("", registry.router)
api.add_router("", people.router)
api.add_router("", "liaison.api.editorial.router")
api.add_router("", "liaison.api.translations.router")
api.add_router("", "liaison.api.conference.router")
api.add_router("", "liaison.api.distribution.router")


@api.exception_handler(LiaisonError)
def liaison_error(request: HttpRequest, exc: LiaisonError) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc), "field": exc.field}, status=exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("You may not do this."), "field": None}, status=403)
