"""Checking an uploaded PDF before it is kept: what the file is (by its bytes, not its name), how large, and a name
that is safe to show and to offer again on download."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from liaison.errors import LiaisonError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# A PDF starts with this header; readers accept it anywhere in the first kilobyte (after junk some tools prepend).
MAGIC = b"%PDF-"
HEAD = 1024
# ...and ends with this marker within its last kilobyte; without it the upload was cut short.
TRAILER = b"%%EOF"
NAME_LENGTH = 120
# Bidirectional overrides and isolates make "gpj.pdf" show as "fdp.jpg"; no file name needs them.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


@dataclass(frozen=True)
class CheckedPdf:
    upload: UploadedFile
    name: str
    size: int
    sha256: str


def max_bytes() -> int:
    """The size limit, ``EXCHANGE_PDF_MAX_BYTES`` in the settings (20 MB by default)."""
    return int(getattr(settings, "EXCHANGE_PDF_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_pdf(upload: UploadedFile, *, fallback_name: str, field: str = "pdf") -> CheckedPdf:
    """The upload if it is a PDF of an acceptable size, else a ``LiaisonError`` naming ``field`` that says why."""
    limit = max_bytes()
    size = upload.size or 0
    if size == 0:
        raise LiaisonError(_("The file is empty."), field=field)
    if size > limit:
        raise LiaisonError(
            _("The file is too large (%(size)s): a PDF may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            field=field,
        )
    upload.seek(0)
    head = upload.read(HEAD)
    if MAGIC not in head:
        raise LiaisonError(
            _("This file is not a PDF (whatever its name says). Export the issue as PDF and upload that file."),
            field=field,
        )
    digest = hashlib.sha256()
    upload.seek(0)
    tail = b""
    for chunk in upload.chunks():
        digest.update(chunk)
        tail = (tail + chunk)[-HEAD:]
    if TRAILER not in tail:
        raise LiaisonError(_("This PDF is incomplete (its end is missing): upload the whole file again."), field=field)
    upload.seek(0)
    return CheckedPdf(
        upload=upload, name=clean_file_name(upload.name or "", fallback_name), size=size, sha256=digest.hexdigest()
    )


def clean_file_name(name: str, fallback: str) -> str:
    """A file name fit to show and to offer on download: no folders (``../../etc/passwd`` is ``passwd.pdf``), no
    control or bidirectional characters, no leading dots, at most ``NAME_LENGTH`` characters, ending in ``.pdf``."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = BIDI_CONTROLS.sub("", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = " ".join(name.split()).lstrip(".").strip()
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem.rstrip(". ")[: NAME_LENGTH - 4].rstrip(". ")
    if not stem:
        stem = fallback
    return f"{stem}.pdf"
