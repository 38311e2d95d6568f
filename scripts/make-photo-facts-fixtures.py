#!/usr/bin/env python3
"""Writes small pictures with known EXIF capture times under Tests/Fixtures/PhotoFacts, for the PhotoFacts tests.

Each is a 64×48 gradient (drawn here, no third-party picture) saved by Pillow (pillow-heif for HEIC) with an EXIF
block whose Exif IFD holds DateTimeOriginal and, for some, OffsetTimeOriginal:

  offset-rotated.jpg  2024:05:17 14:03:59 +08:00, orientation 6 (so the upright size is 48×64)
  no-offset.png       2023:12:31 23:59:58, no offset (eXIf chunk)
  offset.webp         2022:02:03 04:05:06 -05:30 (EXIF chunk of an extended WebP)
  offset.heic         2021:07:08 09:10:11 +00:00 (the HEIF Exif item)

Regenerate: ~/.cache/glimpse/venv-torch/bin/python scripts/make-photo-facts-fixtures.py (pip install pillow pillow-heif)
"""
from __future__ import annotations

from pathlib import Path

import pillow_heif
from PIL import Image

TARGET = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "PhotoFacts"


def gradient() -> Image.Image:
    image = Image.new("RGB", (64, 48))
    image.putdata([(x * 4, y * 5, 128) for y in range(48) for x in range(64)])
    return image


def exif(taken: str, offset: str | None, orientation: int | None = None) -> bytes:
    block = Image.Exif()
    if orientation:
        block[0x0112] = orientation
    ifd = block.get_ifd(0x8769)
    ifd[0x9003] = taken
    if offset:
        ifd[0x9011] = offset
    return block.tobytes()


def main() -> None:
    pillow_heif.register_heif_opener()
    TARGET.mkdir(parents=True, exist_ok=True)
    image = gradient()
    image.save(TARGET / "offset-rotated.jpg", quality=90, exif=exif("2024:05:17 14:03:59", "+08:00", 6))
    image.save(TARGET / "no-offset.png", exif=exif("2023:12:31 23:59:58", None))
    image.save(TARGET / "offset.webp", quality=80, exif=exif("2022:02:03 04:05:06", "-05:30"))
    image.save(TARGET / "offset.heic", quality=80, exif=exif("2021:07:08 09:10:11", "+00:00"))
    for file in sorted(TARGET.iterdir()):
        print(file.name, file.stat().st_size)


if __name__ == "__main__":
    main()
