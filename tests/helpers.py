"""Helpers shared by the tests: skipping what a machine cannot run (except under CI, where nothing may be skipped),
and the processes of the tests that start real workers."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

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


class Processes:
    """Worker and command processes of one test, started as ``python -m BOOT ARGS`` (a module that sets Celery up
    for the test and runs the command), each in its own process group with its log in ``logs``; ``end`` kills them
    all, whatever the test did."""

    def __init__(self, environment: dict[str, str], logs: Path, boot: str) -> None:
        self.environment = environment
        self.logs = logs
        self.boot = boot
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, "-m", self.boot, *args],
            cwd=Path(__file__).resolve().parents[1],
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def logs_of(self, *names: str) -> str:
        return "\n".join(f"--- {name}\n{self.log(name)}" for name in names)

    def end(self) -> None:
        for process in self.started:
            self.kill(process)
