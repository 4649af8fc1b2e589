"""Machine-translation providers: none (the default), or a server speaking LibreTranslate's HTTP API.

A provider's failures are typed, so the task that asks for a machine draft knows what to do: a provider that is down,
slow or answering garbage is *temporary* (the job is retried later); a refusal (a bad API key, a language the server
does not have) or machine translation being off is not, and retrying would only repeat it. Every message says what
happened in words an editor understands, and never shows the API key.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liaison import languages
from liaison.errors import LiaisonError

# An answer larger than this is not a translation of one paragraph: it is refused rather than read into memory.
MAX_ANSWER_BYTES = 5_000_000


class MachineTranslationError(LiaisonError):
    """Machine translation could not give a draft; nothing was changed."""

    status = 502


class MachineTranslationOff(MachineTranslationError):
    status = 503


class ProviderRefused(MachineTranslationError):
    """The provider answered, and said no: a wrong API key, an unsupported language, a text it will not take."""


class TemporaryProviderError(MachineTranslationError):
    """Worth retrying later: the provider is down, slow, or its answer could not be read."""

    status = 503


class ProviderUnavailable(TemporaryProviderError):
    pass


class ProviderTimeout(TemporaryProviderError):
    pass


class ProviderBadAnswer(TemporaryProviderError):
    pass


class Provider(Protocol):
    """Translates plain text (or HTML with ``format="html"``) from one language to another."""

    name: str

    def translate(self, text: str, source: str, target: str, *, format: str = "text") -> str: ...


class NoProvider:
    """Machine translation is off: asking for it says so, and how to turn it on."""

    name = "none"

    def translate(self, text: str, source: str, target: str, *, format: str = "text") -> str:
        raise machine_translation_off()


def machine_translation_off() -> MachineTranslationOff:
    return MachineTranslationOff(
        _(
            "Machine translation is off. An administrator can turn it on with MT_PROVIDER=libretranslate and "
            "MT_URL pointing at a LibreTranslate server."
        )
    )


def provider_language(code: str) -> str:
    """LibreTranslate names languages by their primary subtag ("pt", not "pt-br"), and traditional Chinese "zt"."""
    code = languages.normalize(code)
    if code in ("zh-hant", "zh-tw", "zh-hk"):
        return "zt"
    return code.split("-")[0]


class LibreTranslateProvider:
    """A client of LibreTranslate's ``POST /translate`` (JSON in, ``{"translatedText": ...}`` or ``{"error": ...}``
    out). ``timeout`` is in seconds, for connecting and for each wait on the answer."""

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 10) -> None:
        parts = urllib.parse.urlsplit(url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ImproperlyConfigured(f"MT_URL must be an http:// or https:// address, not {url!r}.")
        self.url = url.rstrip("/")
        self.api_key = api_key or None
        self.timeout = float(timeout)
        self.name = f"LibreTranslate ({parts.netloc})"

    def translate(self, text: str, source: str, target: str, *, format: str = "text") -> str:
        if format not in ("text", "html"):
            raise ValueError(f"format is 'text' or 'html', not {format!r}")
        if not text.strip():
            return text
        payload: dict[str, Any] = {
            "q": text,
            "source": provider_language(source),
            "target": provider_language(target),
            "format": format,
        }
        if self.api_key:
            payload["api_key"] = self.api_key
        answer = self._post("/translate", payload)
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if not isinstance(translated, str):
            if isinstance(answer, dict) and isinstance(answer.get("error"), str):
                raise ProviderRefused(self._said(answer["error"]))
            raise ProviderBadAnswer(
                _("%(name)s answered without a translation; the draft will be tried again later.") % {"name": self.name}
            )
        return translated

    def _said(self, error: str) -> str:
        return _("%(name)s refused: %(error)s") % {"name": self.name, "error": _clean(error)}

    def _post(self, path: str, payload: dict[str, Any]) -> Any:
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked to be http or https above)
            self.url + path,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (scheme checked)
                raw = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise self._http_error(error) from error
        except TimeoutError as error:
            raise self._timeout() from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise self._timeout() from error
            raise ProviderUnavailable(
                _("%(name)s cannot be reached (%(reason)s); the draft will be tried again later.")
                % {"name": self.name, "reason": error.reason}
            ) from error
        except http.client.HTTPException as error:
            # Not even HTTP came back (a bad status line, an answer cut short).
            raise ProviderBadAnswer(
                _("%(name)s answered something that is not HTTP; the draft will be tried again later.")
                % {"name": self.name}
            ) from error
        except OSError as error:
            raise ProviderUnavailable(
                _("%(name)s broke off the connection; the draft will be tried again later.") % {"name": self.name}
            ) from error
        if len(raw) > MAX_ANSWER_BYTES:
            raise ProviderBadAnswer(
                _("%(name)s answered far too much; the draft will be tried again later.") % {"name": self.name}
            )
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ProviderBadAnswer(
                _("%(name)s answered something that is not JSON; the draft will be tried again later.")
                % {"name": self.name}
            ) from error

    def _timeout(self) -> ProviderTimeout:
        # The plural follows the whole number of seconds; a fraction (0.5) takes the form of "none".
        count = int(self.timeout) if float(self.timeout).is_integer() else 0
        return ProviderTimeout(
            ngettext(
                "The translation service %(name)s did not answer within %(seconds)s second; "
                "the draft will be tried again later.",
                "The translation service %(name)s did not answer within %(seconds)s seconds; "
                "the draft will be tried again later.",
                count,
            )
            % {"name": self.name, "seconds": number_format(self.timeout)}
        )

    def _http_error(self, error: urllib.error.HTTPError) -> MachineTranslationError:
        try:
            body = json.loads(error.read(64_000).decode("utf-8"))
            said = body.get("error") if isinstance(body, dict) else None
        except (OSError, UnicodeDecodeError, ValueError):
            said = None
        if error.code >= 500 or error.code == 429:
            return ProviderUnavailable(
                _("%(name)s failed (HTTP %(code)s); the draft will be tried again later.")
                % {"name": self.name, "code": error.code}
            )
        if error.code in (401, 403):
            return ProviderRefused(
                _("%(name)s refused the request (HTTP %(code)s): check MT_API_KEY. It said: %(error)s")
                % {"name": self.name, "code": error.code, "error": _clean(said) if isinstance(said, str) else "—"}
            )
        if isinstance(said, str):
            return ProviderRefused(self._said(said))
        return ProviderRefused(
            _("%(name)s refused the request (HTTP %(code)s).") % {"name": self.name, "code": error.code}
        )


def _clean(said: str) -> str:
    """A provider's own words, on one line and short, for a message shown to people."""
    return " ".join(said.split())[:300]


def get_provider() -> Provider:
    """The provider the settings name: ``MT_PROVIDER`` is "none" (the default) or "libretranslate"."""
    kind = (getattr(settings, "MT_PROVIDER", "none") or "none").strip().lower()
    if kind == "none":
        return NoProvider()
    if kind == "libretranslate":
        url = getattr(settings, "MT_URL", "") or ""
        if not url:
            raise ImproperlyConfigured("MT_PROVIDER is 'libretranslate' but MT_URL is empty.")
        return LibreTranslateProvider(
            url, api_key=getattr(settings, "MT_API_KEY", "") or None, timeout=float(getattr(settings, "MT_TIMEOUT", 10))
        )
    raise ImproperlyConfigured(f"MT_PROVIDER is 'none' or 'libretranslate', not {kind!r}.")


def is_enabled(provider: Provider) -> bool:
    return not isinstance(provider, NoProvider)
