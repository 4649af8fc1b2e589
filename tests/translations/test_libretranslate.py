"""The LibreTranslate client against a real local HTTP server speaking the protocol: answers, refusals, failures."""

from __future__ import annotations

import socket
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured

from liaison.translations import providers
from liaison.translations.providers import (
    LibreTranslateProvider,
    MachineTranslationOff,
    NoProvider,
    ProviderBadAnswer,
    ProviderRefused,
    ProviderTimeout,
    ProviderUnavailable,
    TemporaryProviderError,
)

from .conftest import API_KEY


def test_it_translates(libretranslate):
    provider = LibreTranslateProvider(libretranslate.url())

    assert provider.translate("hello", "en", "fr") == "bonjour"
    [request] = libretranslate.requests
    assert request == {
        "mode": "ok",
        "endpoint": "translate",
        "q": "hello",
        "source": "en",
        "target": "fr",
        "format": "text",
    }


def test_it_sends_html_when_asked(libretranslate):
    LibreTranslateProvider(libretranslate.url()).translate("<p>hello</p>", "en", "de", format="html")

    assert libretranslate.requests[0]["format"] == "html"


def test_it_sends_the_api_key(libretranslate):
    provider = LibreTranslateProvider(libretranslate.url("keyed"), api_key=API_KEY)

    assert provider.translate("hello", "en", "ru") == "привет"
    assert libretranslate.requests[0]["api_key"] == API_KEY


@pytest.mark.parametrize(("text", "target"), [("Всеобщая забастовка", "fr"), ("总罢工", "en"), ("إضراب عام", "en")])
def test_unicode_goes_there_and_back(libretranslate, text, target):
    source = {"В": "ru", "总": "zh", "إ": "ar"}[text[0]]

    assert LibreTranslateProvider(libretranslate.url()).translate(text, source, target) == f"«{target}» {text}"
    assert libretranslate.requests[0]["q"] == text


@pytest.mark.parametrize(("target", "expected"), [("ru", "привет"), ("zh", "你好"), ("ar", "مرحبا")])
def test_unicode_answers_are_decoded(libretranslate, target, expected):
    assert LibreTranslateProvider(libretranslate.url()).translate("hello", "en", target) == expected


def test_regional_codes_are_sent_as_the_language(libretranslate):
    LibreTranslateProvider(libretranslate.url()).translate("hello", "en-gb", "pt-br")

    assert (libretranslate.requests[0]["source"], libretranslate.requests[0]["target"]) == ("en", "pt")


def test_blank_text_is_not_sent(libretranslate):
    assert LibreTranslateProvider(libretranslate.url()).translate("  ", "en", "fr") == "  "
    assert libretranslate.requests == []


def test_a_bad_api_key_is_refused_and_not_retried(libretranslate):
    provider = LibreTranslateProvider(libretranslate.url("keyed"), api_key="wrong-key")

    with pytest.raises(ProviderRefused) as refused:
        provider.translate("hello", "en", "fr")

    assert not isinstance(refused.value, TemporaryProviderError)
    message = str(refused.value)
    assert "HTTP 403" in message and "MT_API_KEY" in message and "Invalid API key" in message
    assert "wrong-key" not in message


def test_an_unsupported_language_is_refused_with_the_servers_words(libretranslate):
    with pytest.raises(ProviderRefused, match="xh is not supported"):
        LibreTranslateProvider(libretranslate.url()).translate("hello", "en", "xh")


def test_a_server_error_is_temporary(libretranslate):
    with pytest.raises(ProviderUnavailable, match="HTTP 500") as failed:
        LibreTranslateProvider(libretranslate.url("fail")).translate("hello", "en", "fr")

    assert isinstance(failed.value, TemporaryProviderError)
    assert "tried again later" in str(failed.value)


def test_too_many_requests_is_temporary(libretranslate):
    with pytest.raises(ProviderUnavailable, match="HTTP 429"):
        LibreTranslateProvider(libretranslate.url("busy")).translate("hello", "en", "fr")


def test_a_garbage_answer_is_temporary(libretranslate):
    with pytest.raises(ProviderBadAnswer, match="not JSON") as failed:
        LibreTranslateProvider(libretranslate.url("garbage")).translate("hello", "en", "fr")

    assert isinstance(failed.value, TemporaryProviderError)


def test_an_answer_without_a_translation_is_temporary(libretranslate):
    with pytest.raises(ProviderBadAnswer, match="without a translation"):
        LibreTranslateProvider(libretranslate.url("nokey")).translate("hello", "en", "fr")


def test_a_wrong_path_is_refused(libretranslate):
    with pytest.raises(ProviderRefused, match="Not Found"):
        LibreTranslateProvider(libretranslate.url("ok/nested")).translate("hello", "en", "fr")


def test_a_slow_answer_times_out(libretranslate):
    provider = LibreTranslateProvider(libretranslate.url("slow"), timeout=0.3)

    with pytest.raises(ProviderTimeout, match=r"within 0\.3 seconds") as failed:
        provider.translate("hello", "en", "fr")

    assert isinstance(failed.value, TemporaryProviderError)


def test_a_server_that_is_down_is_temporary():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port any more: the connection is refused.

    with pytest.raises(ProviderUnavailable, match="cannot be reached"):
        LibreTranslateProvider(f"http://127.0.0.1:{port}", timeout=2).translate("hello", "en", "fr")


def test_a_server_that_does_not_speak_http_is_temporary():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]

        def babble() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")

        thread = threading.Thread(target=babble, daemon=True)
        thread.start()
        with pytest.raises(ProviderBadAnswer, match="not HTTP"):
            LibreTranslateProvider(f"http://127.0.0.1:{port}", timeout=2).translate("hello", "en", "fr")
        thread.join(2)


@pytest.mark.parametrize("url", ["", "ftp://example.org", "file:///etc/passwd", "localhost:5000"])
def test_only_http_addresses_are_accepted(url):
    with pytest.raises(ImproperlyConfigured):
        LibreTranslateProvider(url)


def test_no_provider_says_machine_translation_is_off():
    with pytest.raises(MachineTranslationOff, match="MT_PROVIDER=libretranslate"):
        NoProvider().translate("hello", "en", "fr")


def test_the_default_provider_is_none(settings):
    del settings.MT_PROVIDER

    assert isinstance(providers.get_provider(), NoProvider)
    assert not providers.is_enabled(providers.get_provider())


def test_the_settings_choose_libretranslate(settings, libretranslate):
    settings.MT_PROVIDER = "libretranslate"
    settings.MT_URL = libretranslate.url("keyed") + "/"
    settings.MT_API_KEY = API_KEY
    settings.MT_TIMEOUT = 3

    provider = providers.get_provider()

    assert isinstance(provider, LibreTranslateProvider)
    assert (provider.timeout, provider.name) == (3.0, f"LibreTranslate (127.0.0.1:{libretranslate.server_address[1]})")
    assert provider.translate("hello", "en", "fr") == "bonjour"


@pytest.mark.parametrize(("kind", "url"), [("libretranslate", ""), ("deepl", "http://x")])
def test_bad_settings_say_what_is_wrong(settings, kind, url):
    settings.MT_PROVIDER = kind
    settings.MT_URL = url

    with pytest.raises(ImproperlyConfigured, match="MT_"):
        providers.get_provider()
