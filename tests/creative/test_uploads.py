"""The upload handler stops keeping a file past the size limit; the services refuse it."""

from __future__ import annotations

from typing import Any

import pytest

from mediadesk.creative import services
from mediadesk.creative.uploads import TooLarge, UploadSizeLimit


def test_handler_passes_data_on_until_the_limit_then_keeps_nothing(settings: Any) -> None:
    settings.CREATIVE_MAX_UPLOAD_BYTES = 10
    handler = UploadSizeLimit()
    handler.new_file("file", "spot.mp4", "video/mp4", None)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    assert handler.receive_data_chunk(b"67890", 5) == b"67890"  # exactly at the limit
    assert handler.receive_data_chunk(b"x", 10) is None
    assert handler.receive_data_chunk(b"more", 11) is None
    refused = handler.file_complete(15)
    assert isinstance(refused, TooLarge) and (refused.name, refused.size) == ("spot.mp4", 15)
    with pytest.raises(ValueError, match="not kept"):
        refused.chunks()


def test_within_the_limit_the_next_handler_keeps_the_file(settings: Any) -> None:
    settings.CREATIVE_MAX_UPLOAD_BYTES = 10
    handler = UploadSizeLimit()
    handler.new_file("file", "a.png", "image/png", None)
    handler.receive_data_chunk(b"1234", 0)
    assert handler.file_complete(4) is None


@pytest.mark.django_db
def test_services_refuse_the_stopped_upload_by_its_size(demo: Any, settings: Any) -> None:
    settings.CREATIVE_MAX_UPLOAD_BYTES = 10
    with pytest.raises(services.AssetRefused, match=r"spot\.mp4 is larger than the upload limit"):
        services.upload_asset(
            demo.ben, client=demo.northwind, source=TooLarge("spot.mp4", 15, None),
            filename="spot.mp4",
        )  # fmt: skip
