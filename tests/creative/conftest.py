"""Real creative files for the creative tests, made at test time, and a media folder per test."""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Membership, User


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Stored creative goes to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "files"
    return Path(settings.MEDIA_ROOT)


def png_bytes(width: int = 300, height: int = 250, text: str = "Autumn Roast") -> bytes:
    image = Image.new("RGB", (width, height), (180, 90, 30))
    ImageDraw.Draw(image).text((10, 10), text, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def html5_zip(initial_kb: int = 40, size: tuple[int, int] = (300, 250)) -> bytes:
    """A banner zip whose entry references an image of ``initial_kb`` random (incompressible)
    kilobytes, so its initial load is about that much."""
    html = (
        f'<html><head><meta name="ad.size" content="width={size[0]},height={size[1]}">'
        '<link rel="stylesheet" href="style.css"></head>'
        '<body><img src="hero.jpg"><script src="main.js"></script></body></html>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", html)
        archive.writestr("style.css", "body{margin:0}")
        archive.writestr("main.js", "console.log('hi');")
        archive.writestr("hero.jpg", os.urandom(initial_kb * 1000))
    return buffer.getvalue()


def make_video(path: Path, seconds: str = "2", size: str = "320x240") -> Path:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc=size={size}:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=440",
         "-t", seconds, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
         "-shortest", str(path)],
        check=True,
    )  # fmt: skip
    return path


@pytest.fixture(scope="session")
def video_2s(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_video(tmp_path_factory.mktemp("video") / "spot.mp4").read_bytes()


@pytest.fixture(scope="session")
def spot_31s(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 31.2-second spot: too long for a 30-second slot."""
    path = tmp_path_factory.mktemp("video") / "spot31.mp4"
    return make_video(path, seconds="31.2", size="160x90").read_bytes()


@pytest.fixture
def cora(demo: Any) -> User:
    """A coordinator on Contoso Mobile only: sees nothing of Northwind's creative."""
    user = User.objects.create_user(
        "cora@demo.test", "x", full_name="Cora Contoso", organization=demo.alice.organization
    )
    Membership.objects.create(user=user, client=demo.contoso, role=Role.COORDINATOR)
    return user
