#!/usr/bin/env python3
"""Reference timings for `glimpse-bench images`: PIL decoding (what transformers' load_image does: open,
exif_transpose, convert("RGB")) and transformers' CLIPImageProcessorPil, timed separately on the same files.

Usage: image_preprocess_reference.py --repeat N FILE...   → one JSON object on stdout.
Files are read into memory first, so disk speed is not measured (as on the Swift side).
"""
import argparse
import io
import json
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    import numpy as np
    import PIL
    import transformers
    from PIL import Image, ImageOps
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    blobs = [open(path, "rb").read() for path in args.files]
    processor = CLIPImageProcessorPil()

    def load(blob):
        image = Image.open(io.BytesIO(blob))
        image = ImageOps.exif_transpose(image)
        return image.convert("RGB")

    images = [load(blob) for blob in blobs]  # warm-up, and the inputs of the preprocess timing
    start = time.perf_counter()
    for _ in range(args.repeat):
        for blob in blobs:
            load(blob)
    decode = time.perf_counter() - start

    start = time.perf_counter()
    for _ in range(args.repeat):
        for image in images:
            processor(images=image, return_tensors="np")
    preprocess = time.perf_counter() - start

    json.dump({
        "images": len(blobs) * args.repeat,
        "decode_seconds": decode,
        "preprocess_seconds": preprocess,
        "versions": {"pillow": PIL.__version__, "transformers": transformers.__version__, "numpy": np.__version__},
    }, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
