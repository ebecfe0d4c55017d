"""Headless Chromium for tests that look at what the project shows a person."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

__all__ = ["distinct_colours", "screenshot"]

_BROWSERS = ("chromium", "chromium-browser", "google-chrome")
_WINDOW = "1280,2200"  # tall enough for the summary table and the first failures


def _browser() -> str:
    """The browser binary, or skip (fail in CI, where .ci/run installs it)."""
    for name in _BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    reason = "no headless Chromium on this machine (Debian package: chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def screenshot(page: Path, png: Path) -> Path:
    """Render a local HTML file in headless Chromium and save a PNG of it."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                _browser(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--window-size={_WINDOW}",
                f"--screenshot={png}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    return png


def distinct_colours(png: Path) -> int:
    """How many different byte values the PNG's pixel data holds: a blank page has a handful."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pixels, pos = b"", 8
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        if data[pos + 4 : pos + 8] == b"IDAT":
            pixels += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(pixels)))
