"""An upload handler that stops writing an uploaded file once it passes the size limit.

Django spools a large upload to a temporary file as it arrives. Without this handler, a 50 GB
request would be written to disk whole before anything could refuse it. This handler sits first
in ``FILE_UPLOAD_HANDLERS``: past ``CREATIVE_MAX_UPLOAD_BYTES`` it stops handing the file's data
on (the rest of the request is read and dropped) and, when the file ends, hands Django a
``TooLarge`` file that carries only its name and the size seen so far. The services refuse it by
that size with their usual sentence, so page, API and CLI answer the same way.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class TooLarge(UploadedFile):
    """An upload refused for its size: no content is kept, only the name and the size seen."""

    def __init__(self, name: str, size: int, content_type: str | None) -> None:
        super().__init__(None, name=name, content_type=content_type, size=size)

    def chunks(self, chunk_size: int | None = None) -> Any:
        raise ValueError(f"{self.name} was not kept: it is over the upload limit.")


class UploadSizeLimit(FileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.limit = int(settings.CREATIVE_MAX_UPLOAD_BYTES)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            return None  # later handlers (the temporary file) get nothing more
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > self.limit:
            return TooLarge(self.file_name or "upload", self.received, self.content_type)
        return None  # within the limit: the next handler's file is the upload
