"""Vendor documents at the edge: only PDFs and images come in, checked before they are kept.

Files from outside are hostile until checked (DESIGN.md, rule 9): the size is limited while the
upload is read, the extension must be one we accept, and the content must start with the magic
bytes of that kind of file. The file is then stored under a generated name; the name it came
with is kept as data only. Downloads carry the checked content type, as an attachment.
"""

from __future__ import annotations

import posixpath
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from mediadesk.ingest.safety import _looks_like, display_name

# A signed contract scanned as a PDF is a few MB; a phone photo of a certificate under 10 MB.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

# extension -> (content type, the magic bytes every such file starts with)
DOCUMENT_KINDS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
ACCEPTED = "a PDF (.pdf) or an image (.png, .jpg)"
ACCEPT_ATTRIBUTE = ",".join([*DOCUMENT_KINDS, "application/pdf", "image/png", "image/jpeg"])


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f}".removesuffix(".0")


def check_document(data: bytes, filename: str) -> str:
    """The content type of an acceptable document; ValidationError on ``file`` otherwise."""
    name = display_name(filename)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            {"file": [f"{name} is {_megabytes(len(data))} MB; documents can be up to "
                      f"{_megabytes(MAX_DOCUMENT_BYTES)} MB."]}
        )  # fmt: skip
    if not data:
        raise ValidationError({"file": [f"{name} is empty."]})
    extension = posixpath.splitext(name.lower())[1]
    known = DOCUMENT_KINDS.get(extension)
    if known is None:
        raise ValidationError({"file": [f"{name} is not {ACCEPTED}; upload one of those."]})
    content_type, magic = known
    if not data.startswith(magic):
        raise ValidationError(
            {"file": [f"{name} does not hold what its name says (it looks like "
                      f"{_looks_like(data)}). Upload {ACCEPTED}."]}
        )  # fmt: skip
    return content_type


def read_document_upload(upload: Any) -> bytes:
    """The uploaded file's bytes, refusing it as soon as it grows past the size limit."""
    name = display_name(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    too_big = ValidationError(
        {"file": [f"{name} is over the {_megabytes(MAX_DOCUMENT_BYTES)} MB limit for documents."]}
    )
    if size is not None and size > MAX_DOCUMENT_BYTES:
        raise too_big
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > MAX_DOCUMENT_BYTES:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def document_response(document: Any) -> HttpResponse:
    """The stored file as a download: its checked content type, its original name."""
    with document.file.open("rb") as handle:
        body = handle.read()
    response = HttpResponse(body, content_type=document.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(True, display_name(document.filename)) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
