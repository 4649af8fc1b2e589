"""Helpers shared by the tests: skipping what a machine cannot run, except under CI where nothing may be skipped."""

from __future__ import annotations

import os
import shutil
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def need(condition: bool, reason: str) -> None:
    """Skip the test when ``condition`` is false; under CI that is a failure, because CI must run everything."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must run this test, but: {reason}")
    pytest.skip(reason)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def have_program(name: str) -> bool:
    return shutil.which(name) is not None or os.path.exists(name)


def interface(language: str, message: str) -> str:
    """``message`` as the interface shows it in ``language``, HTML-escaped as on a page: tests of pages shown in
    another language follow the catalogue's wording instead of repeating it."""
    from django.utils import translation
    from django.utils.html import escape

    with translation.override(language):
        return escape(translation.gettext(message))
