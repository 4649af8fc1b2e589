"""Where published files live on disk, and how an edition's folder is written so that it appears whole or not at all.

Every edition has one folder under ``settings.PUBLISHED_DIR``: ``<slug>/<number>/<language>/v<version>/``. Its files
are written into a hidden temporary folder beside it and renamed into place in one step, so a folder that exists is
always complete. Whether a reader sees it is still the database's decision (an ``Edition`` that is ``published``,
with its ``EditionFile`` rows): a folder left behind by a crash is never served, and the next attempt replaces it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

CHUNK = 1024 * 1024


class UnsafePath(ValueError):
    """A renderer named a file outside its edition's folder (absolute, ``..``, hidden): a bug, refused."""


@dataclass(frozen=True)
class Written:
    path: str  # relative to PUBLISHED_DIR, with forward slashes
    size: int
    sha256: str


def root() -> Path:
    return Path(settings.PUBLISHED_DIR)


def edition_folder(periodical_slug: str, number: int, language: str, version: int) -> str:
    """The edition's folder, relative to ``PUBLISHED_DIR``."""
    return f"{periodical_slug}/{number}/{language}/v{version}"


def absolute(relative: str) -> Path:
    return root() / relative


def check_name(name: str) -> str:
    """A file name a renderer gave, as a safe path inside the edition's folder."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or "\\" in name or "\x00" in name:
        raise UnsafePath(name)
    if any(part in ("", ".", "..") or part.startswith(".") for part in path.parts):
        raise UnsafePath(name)
    return path.as_posix()


def write_folder(folder: str, files: dict[str, bytes]) -> list[Written]:
    """Write ``files`` as the whole content of ``folder`` (relative to ``PUBLISHED_DIR``): into a temporary folder
    first, then renamed into place, replacing whatever a failed earlier attempt left there."""
    final = absolute(folder)
    final.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    temporary = final.parent / f".{final.name}.{token}.tmp"
    written = []
    try:
        temporary.mkdir()
        for name in sorted(files):
            data = files[name]
            target = temporary / check_name(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            written.append(Written(f"{folder}/{name}", len(data), hashlib.sha256(data).hexdigest()))
        if final.exists():
            # Left by an attempt that crashed before publishing (never served): set aside, then removed.
            aside = final.parent / f".{final.name}.{token}.old"
            final.rename(aside)
            shutil.rmtree(aside, ignore_errors=True)
        temporary.rename(final)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return written


def remove_folder(folder: str) -> None:
    shutil.rmtree(absolute(folder), ignore_errors=True)


def clean_leftovers(folder: str) -> list[Path]:
    """Remove the temporary folders that crashed attempts at ``folder`` left beside it; returns what was removed.

    Only the run that holds the job's lease calls this, so no live run is writing there (a run that lost its lease
    would only write the same bytes again, and never publish them)."""
    final = absolute(folder)
    removed = []
    if final.parent.is_dir():
        for path in final.parent.glob(f".{final.name}.*"):
            if path.suffix in (".tmp", ".old"):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def sha256_of(relative: str) -> str | None:
    """The file's digest, or None when it is missing."""
    digest = hashlib.sha256()
    try:
        with open(absolute(relative), "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()
