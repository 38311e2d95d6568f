#!/usr/bin/env python3
"""Builds the small HEIC and AVIF fixtures under Tests/Fixtures/HEIF from shared photos.

For each photo below (from /work/shared/data/photos, see its LICENSES folder) this downscales to at most 128 px
with Pillow, saves the result as a JPEG (quality 95, the reference the tests compare against) and encodes that
JPEG with libheif's own encoder, `heif-enc` (Debian's libheif-examples: x265 for HEIC, aom for AVIF). One copy
carries EXIF orientation 6 (rotate 90° clockwise), saved with pillow-heif, which records it as the container's
irot/imir transform; the test checks the decoded HEIF is upright.

Regenerate (only needed when the fixtures must change; the output is committed):
    apt-get install libheif-examples; pip install pillow pillow-heif
    ~/.cache/glimpse/venv-torch/bin/python scripts/make-heif-fixtures.py [PHOTOS_DIR]
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pillow_heif
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "Tests" / "Fixtures" / "HEIF"
PHOTOS = ["apple/opencv_apple.jpg", "bee/erase_bee.jpg", "astronaut/astronaut.jpg"]


def encode(jpeg: Path, output: Path) -> None:
    subprocess.run(["heif-enc", "-q", "90", "-o", str(output), str(jpeg)], check=True, capture_output=True)


def main() -> None:
    photos = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "photos"
    TARGET.mkdir(parents=True, exist_ok=True)
    for relative in PHOTOS:
        source = photos / relative
        if not source.exists():  # the folder's file names differ per photo: take the first image in it
            source = sorted((photos / Path(relative).parent).glob("*.jpg"))[0]
        image = Image.open(source).convert("RGB")
        image.thumbnail((128, 128), Image.Resampling.LANCZOS)
        stem = Path(relative).parent.name
        jpeg = TARGET / f"{stem}.jpg"
        image.save(jpeg, quality=95)
        encode(jpeg, TARGET / f"{stem}.heic")
        encode(jpeg, TARGET / f"{stem}.avif")
    # Orientation 6: the stored pixels are the upright image turned 90° counter-clockwise. pillow-heif (libheif
    # too) turns the EXIF orientation into the container's irot/imir transform, which is how HEIF records it.
    pillow_heif.register_heif_opener()
    upright = Image.open(TARGET / "bee.jpg")
    exif = Image.Exif()
    exif[0x0112] = 6
    upright.transpose(Image.Transpose.ROTATE_90).save(TARGET / "bee-rotated.heic", quality=90, exif=exif.tobytes())
    for file in sorted(TARGET.iterdir()):
        print(file.name, file.stat().st_size)


if __name__ == "__main__":
    main()
