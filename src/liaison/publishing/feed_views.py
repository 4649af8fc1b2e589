"""The feeds' addresses, and the page where a member manages their private feed address.

Who is answered what:
- ``/feeds/<slug>/<lang>.atom``: everyone, for a public periodical; an internal bulletin is answered exactly like a
  periodical that does not exist (404), so the address does not even reveal that it exists.
- ``/feeds/private/<token>/<slug>/<lang>.atom``: a member's token reads every bulletin that member may read. A
  forged, unknown or revoked token, a disabled account, a former member, and a periodical they may not read are all
  answered with the same 404.
- ``/feeds/opds.xml``: everyone; public editions only.
- ``/feeds/tokens/``: members (anonymous visitors are asked to log in, other accounts are refused).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from liaison import languages as language_codes
from liaison.editorial.access import can_read_periodical
from liaison.errors import LiaisonError
from liaison.federation.access import Actor, actor_for_request
from liaison.federation.guards import allow
from liaison.federation.models import Federation
from liaison.periodicals.models import Audience, Periodical
from liaison.publishing import feed_tokens, feeds
from liaison.publishing.models import FeedToken

members_only = allow(feed_tokens.may_have_token)


def _missing() -> Http404:
    return Http404(_("No such feed."))


def _feed(request: HttpRequest, periodical: Periodical, language: str, path: str) -> HttpResponse:
    if language != language_codes.normalize(language):
        raise _missing()
    federation = Federation.objects.first()
    if federation is None:
        raise _missing()
    editions = feeds.editions_of(periodical, language)
    if not feeds.feed_language_exists(periodical, language, federation, editions):
        raise _missing()
    source = feeds.FeedSource(
        periodical=periodical,
        language=language,
        editions=editions,
        federation=federation,
        base=feeds.site_base(),
        path=path,
    )
    return feeds.feed_response(source, request)


@require_safe
def public_feed(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    periodical = Periodical.objects.filter(slug=slug, audience=Audience.PUBLIC).first()
    if periodical is None:
        raise _missing()
    return _feed(request, periodical, language, feeds.feed_path(slug, language))


@require_safe
def private_feed(request: HttpRequest, token: str, slug: str, language: str) -> HttpResponse:
    reader = feed_tokens.reader_for(token)
    if reader is None:
        raise _missing()
    periodical = Periodical.objects.filter(slug=slug).first()
    if periodical is None or not can_read_periodical(reader, periodical):
        raise _missing()
    response = _feed(request, periodical, language, feeds.private_feed_path(token, slug, language))
    # The address is a secret: kept out of shared caches, search engines and the Referer of links followed from it.
    patch_cache_control(response, private=True)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def opds(request: HttpRequest) -> HttpResponse:
    federation = Federation.objects.first()
    if federation is None:
        raise _missing()
    return feeds.catalogue_response(feeds.catalogue_source(federation=federation), request)


# The member's page --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedLink:
    language: str
    name: str  # the language's name, in the reader's language
    url: str


@dataclass(frozen=True)
class FeedRow:
    periodical: Periodical
    private: bool  # an internal bulletin: only the private address reads it
    links: list[FeedLink]


def _rows(actor: Actor, token: FeedToken | None, languages: list[str]) -> list[FeedRow]:
    secret = feed_tokens.token_string(token) if token is not None else ""
    rows = []
    for periodical in Periodical.objects.filter(section__isnull=True).order_by("name", "slug"):
        if not can_read_periodical(actor, periodical):
            continue
        private = periodical.audience != Audience.PUBLIC
        if private and not secret:
            links = []
        else:
            links = [
                FeedLink(
                    code,
                    language_codes.display_name(code),
                    feeds.site_base()
                    + (
                        feeds.private_feed_path(secret, periodical.slug, code)
                        if private
                        else feeds.feed_path(periodical.slug, code)
                    ),
                )
                for code in languages
            ]
        rows.append(FeedRow(periodical, private, links))
    return rows


@members_only
@require_safe
def tokens(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    history = list(FeedToken.objects.filter(user=actor.user)[:10])
    token = next((t for t in history if t.is_active), None)
    federation = Federation.objects.first()
    languages = list(federation.working_languages) if federation else []
    response = render(
        request,
        "publishing/feeds/tokens.html",
        {
            "token": token,
            "revoked": [t for t in history if not t.is_active],
            "rows": _rows(actor, token, languages),
            "opds_url": feeds.site_base() + feeds.OPDS_PATH,
        },
    )
    # The page shows the member's secret address: no cache may keep it.
    add_never_cache_headers(response)
    return response


@members_only
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    replacing = feed_tokens.active_token(request.user) is not None
    try:
        feed_tokens.create_token(actor_for_request(request))
    except LiaisonError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Your private feed address is replaced: the old one no longer works. Give the new one to your reader.")
            if replacing
            else _("Your private feed address is ready: copy it into your feed reader."),
        )
    return redirect("feeds:tokens")


@members_only
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        feed_tokens.revoke_token(actor_for_request(request), token_id)
    except LiaisonError as exc:
        raise Http404(str(exc)) from exc
    messages.success(request, _("Your private feed address is revoked: feed readers using it get nothing more."))
    return redirect("feeds:tokens")
