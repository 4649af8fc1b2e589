"""Settings: a deployment passes Django's deployment checks, and a development install makes its own secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet


def _liaison(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "liaison", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "HTTPS", "SECRET_KEY", "ENCRYPTION_KEYS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(LIAISON_VAR_DIR=str(tmp_path / "var"), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    env.update(extra)
    return env


def test_it_passes_the_deployment_checks_under_production_settings(tmp_path: Path) -> None:
    env = _clean_env(
        tmp_path,
        HTTPS="true",
        SECRET_KEY=Fernet.generate_key().decode() * 2,
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="liaison.example.org",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587",
    )
    result = _liaison(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_warns_when_deployed_without_https(tmp_path: Path) -> None:
    result = _liaison(["check", "--deploy", "--fail-level", "WARNING"], _clean_env(tmp_path))
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr or "security.W008" in result.stderr


def test_it_generates_development_secrets_once(tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    code = "from django.conf import settings; print(settings.SECRET_KEY); print(settings.ENCRYPTION_KEYS[0])"
    first = _liaison(["shell", "--no-imports", "-c", code], env)
    second = _liaison(["shell", "--no-imports", "-c", code], env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    secret_key, encryption_key = first.stdout.split()
    assert len(secret_key) >= 50
    Fernet(encryption_key.encode())  # a usable Fernet key
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0


def test_debug_is_off_unless_asked(tmp_path: Path) -> None:
    code = "from django.conf import settings; print(settings.DEBUG)"
    assert _liaison(["shell", "--no-imports", "-c", code], _clean_env(tmp_path)).stdout.strip() == "False"
    assert _liaison(["shell", "--no-imports", "-c", code], _clean_env(tmp_path, DEBUG="1")).stdout.strip() == "True"
