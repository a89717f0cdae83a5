"""Headless Chromium (Debian's `chromium`, which .ci/run installs) for what a page renders, not only its HTML."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)")


def rendered_dom(url: str, *, wait_ms: int = 3000) -> str:
    """The page's DOM after its scripts ran, as Chromium serialises it."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="satukanal-chromium-") as profile:
        result = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={profile}", f"--virtual-time-budget={wait_ms}", "--dump-dom", url],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def screenshot(url: str, width: int = 1000, height: int = 14000, scale: float = 0.25) -> tuple[int, int, list[bytes]]:
    """What Chromium paints for the page: (width, height, rows of RGB bytes), from its PNG screenshot, drawn at
    `scale` pixels per CSS pixel (few pixels: decoding them in Python stays quick)."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="satukanal-chromium-") as profile:
        png = f"{profile}/shot.png"
        result = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
             f"--user-data-dir={profile}/p", f"--window-size={width},{height}", f"--force-device-scale-factor={scale}",
             f"--screenshot={png}", url],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        with open(png, "rb") as file:
            return decode_png(file.read())


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """A non-interlaced 8-bit RGB or RGBA PNG (what Chromium writes) as rows of pixel bytes."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat = 8, b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        chunk = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
        elif kind == b"IDAT":
            idat += chunk
        position += 12 + length
    channels = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, [bytes(row[i] for i in range(len(row)) if channels == 3 or i % 4 != 3) for row in rows]


def colourful_rows(rows: list[bytes], least: int = 5) -> list[int]:
    """The y of each row holding at least `least` saturated pixels (chart colours, not text or grey lines)."""
    out = []
    for y, row in enumerate(rows):
        count = 0
        for x in range(0, len(row) - 2, 3):
            r, g, b = row[x], row[x + 1], row[x + 2]
            if max(r, g, b) - min(r, g, b) > 60:
                count += 1
        if count >= least:
            out.append(y)
    return out
