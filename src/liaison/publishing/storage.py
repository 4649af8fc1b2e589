"""Where published files live on disk, and how an edition's folder is written so that it appears whole or not at all.

Every edition has one folder under ``settings.PUBLISHED_DIR``: ``<slug>/<number>/<language>/v<version>/``. Its files
are written into a hidden temporary folder beside it and renamed into place in one step, so a folder that exists is
always complete. Whether a reader sees it is still the database's decision (an ``Edition`` that is ``published``,
with its ``EditionFile`` rows): a folder left behind by a crash is never served, and the next attempt replaces it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

CHUNK = 1024 * 1024
# Files synced to the disk at once while an edition is written (``FolderWriter``).
SYNC_THREADS = 4


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


def relinked_folder(folder: str) -> str:
    """A new folder for an edition whose version's folder is ``folder``, when its web pages gain links to the
    languages published after it: beside the one it replaces (``v1.<token>`` beside ``v1``), a name of its own at
    each relink, so that the folder readers are served is never written into."""
    return f"{folder}.{uuid.uuid4().hex[:12]}"


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
    writer = FolderWriter(folder)
    try:
        for name in sorted(files):
            writer.write(name, files[name])
        return writer.finish()
    except BaseException:
        writer.discard()
        raise


class FolderWriter:
    """``write_folder`` a file at a time, for files that come one format after another: each is written as it
    comes, into the temporary folder, and ``finish`` renames the whole into place once every file is on the disk
    for good. Until then nothing is at the edition's place; ``discard`` removes what was written.

    Syncing each file to the disk is what writing an edition's two hundred pages mostly costs, and it is waiting,
    not work: it is done in a few helper threads while the caller goes on (the disk commits several files at once),
    and ``finish`` waits for all of them before the rename."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.final = absolute(folder)
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.token = uuid.uuid4().hex
        self.temporary = self.final.parent / f".{self.final.name}.{self.token}.tmp"
        self.temporary.mkdir()
        self.written: dict[str, Written] = {}
        self._folders: set[Path] = {self.temporary}  # made already: one ``mkdir`` a folder, not one a file
        self._syncing: list[Future[None]] = []
        self._pool: ThreadPoolExecutor | None = None

    def _place(self, name: str) -> Path:
        target = self.temporary / check_name(name)
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def write(self, name: str, data: bytes) -> Written:
        target = self._place(name)
        with open(target, "wb") as handle:
            handle.write(data)
            handle.flush()
            descriptor = os.dup(handle.fileno())
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=SYNC_THREADS, thread_name_prefix="liaison-sync")
        self._syncing.append(self._pool.submit(_sync_and_close, descriptor))
        written = Written(f"{self.folder}/{name}", len(data), hashlib.sha256(data).hexdigest())
        self.written[name] = written
        return written

    def link(self, name: str, source: str, *, size: int, sha256: str) -> Written:
        """The published file ``source`` (relative to ``PUBLISHED_DIR``; its size and digest as recorded) as
        ``name`` in the folder, unchanged: a hard link, so that nothing is copied (a copy where the disk cannot
        link). ``FileNotFoundError`` when it is missing."""
        target = self._place(name)
        try:
            os.link(absolute(source), target)
        except FileNotFoundError:
            raise
        except OSError:
            shutil.copyfile(absolute(source), target)
            with open(target, "rb") as handle:
                os.fsync(handle.fileno())
        linked = Written(f"{self.folder}/{name}", size, sha256)
        self.written[name] = linked
        return linked

    def _synced(self) -> None:
        """Every file written so far is on the disk; raises the first failure to sync one."""
        try:
            for future in self._syncing:
                future.result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
            self._syncing = []

    def finish(self) -> list[Written]:
        """The folder in place, whole; returns what it holds, by name."""
        self._synced()
        if self.final.exists():
            # Left by an attempt that crashed before publishing (never served): set aside, then removed.
            aside = self.final.parent / f".{self.final.name}.{self.token}.old"
            self.final.rename(aside)
            shutil.rmtree(aside, ignore_errors=True)
        self.temporary.rename(self.final)
        return [self.written[name] for name in sorted(self.written)]

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._synced()
        shutil.rmtree(self.temporary, ignore_errors=True)


def _sync_and_close(descriptor: int) -> None:
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


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


def remove_relinked(folder: str, keep: set[str]) -> list[Path]:
    """Remove the folders made for the edition whose version's folder is ``folder`` by relinks that never took
    effect (a run killed between writing and recording them: ``v1.<token>``), and their temporary folders
    (``.v1.<token>.<token>.tmp``); those in ``keep`` stay. Only called under the lock that serializes an issue's
    publications, so no live relink is writing there."""
    final = absolute(folder)
    kept = {absolute(k) for k in keep}
    # A rebuild writing a kept folder again has its temporary folder beside it: left alone.
    busy = tuple(f".{k.name}." for k in kept if k != final)
    removed = []
    if final.parent.is_dir():
        for pattern in (f"{final.name}.*", f".{final.name}.*.*.tmp", f".{final.name}.*.*.old"):
            for path in final.parent.glob(pattern):
                if path not in kept and not (busy and path.name.startswith(busy)) and path.is_dir():
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
