#!/usr/bin/env python3
"""PyTorch `transformers` side of `glimpse-bench clip`: the reference the Swift vision tower is timed against.

    prepare --variant b32|b16 --dir DIR
        Writes a random-weight CLIPModel as a Hugging Face folder (config.json + model.safetensors, fp32) whose
        vision tower is openai/clip-vit-base-patch32 / -patch16's (hidden 768, 12 layers, 12 heads, MLP 3072,
        image 224, projection 512), and DIR/inputs.f32: 8 random preprocessed images (CHW fp32). The text tower is
        shrunk to one small layer because only images are timed. Does nothing when both files exist. The Swift
        side loads the same folder, so both engines run identical weights on identical inputs.
    run --dir DIR --batch-sizes 1,8 --threads N --min-seconds S
        Times `CLIPModel.get_image_features` at each batch size (torch.set_num_threads(N), inference mode) and
        prints JSON: images/s per batch size and the features of the 8 inputs (for the agreement check).
    products --shapes R,O,I;R,O,I… --threads N --min-seconds S
        Times `torch.nn.functional.linear` (x[R, I] · W[O, I]ᵀ + b, fp32, the products of the vision tower's layers)
        at each shape and prints JSON: GFLOP/s per shape, in order.

Never committed: the folder lives in the benchmark's cache directory.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

INPUT_IMAGES = 8


def prepare(args: argparse.Namespace) -> None:
    import torch
    from transformers import CLIPConfig, CLIPModel

    folder = Path(args.dir)
    if (folder / "config.json").exists() and (folder / "model.safetensors").exists() and (folder / "inputs.f32").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    patch = {"b32": 32, "b16": 16}[args.variant]
    config = CLIPConfig(
        text_config=dict(hidden_size=64, intermediate_size=128, num_hidden_layers=1, num_attention_heads=4),
        vision_config=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                           image_size=224, patch_size=patch, hidden_act="quick_gelu"),
        projection_dim=512,
    )
    torch.manual_seed(1234)
    model = CLIPModel(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    rng = np.random.default_rng(1234)
    inputs = rng.standard_normal((INPUT_IMAGES, 3, 224, 224), dtype=np.float32)
    inputs.tofile(folder / "inputs.f32")


def run(args: argparse.Namespace) -> None:
    import torch
    import transformers
    from transformers import CLIPModel

    torch.set_num_threads(args.threads)
    folder = Path(args.dir)
    model = CLIPModel.from_pretrained(folder, torch_dtype=torch.float32).eval()
    inputs = torch.from_numpy(np.fromfile(folder / "inputs.f32", dtype=np.float32).reshape(INPUT_IMAGES, 3, 224, 224))

    def features(batch: torch.Tensor) -> torch.Tensor:
        output = model.get_image_features(pixel_values=batch)
        return output if isinstance(output, torch.Tensor) else output.pooler_output

    rates = {}
    with torch.inference_mode():
        reference = features(inputs)
        for batch_size in args.batch_sizes:
            batch = inputs[:batch_size] if batch_size <= INPUT_IMAGES else inputs.repeat((batch_size + INPUT_IMAGES - 1) // INPUT_IMAGES, 1, 1, 1)[:batch_size]
            features(batch)  # warm-up
            runs, start = 0, time.perf_counter()
            while runs < args.min_runs or time.perf_counter() - start < args.min_seconds:
                features(batch)
                runs += 1
            rates[str(batch_size)] = runs * batch_size / (time.perf_counter() - start)
    json.dump({
        "images_per_second": rates,
        "features": reference.tolist(),
        "threads": torch.get_num_threads(),
        "attention": model.config._attn_implementation,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
    }, sys.stdout)


def products(args: argparse.Namespace) -> None:
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(1234)
    rates = []
    with torch.inference_mode():
        for shape in args.shapes.split(";"):
            rows, outputs, inputs = (int(x) for x in shape.split(","))
            x, w, b = torch.randn(rows, inputs), torch.randn(outputs, inputs), torch.randn(outputs)
            torch.nn.functional.linear(x, w, b)  # warm-up
            runs, start = 0, time.perf_counter()
            while runs < args.min_runs or time.perf_counter() - start < args.min_seconds:
                torch.nn.functional.linear(x, w, b)
                runs += 1
            rates.append(2.0 * rows * outputs * inputs * runs / (time.perf_counter() - start) / 1e9)
    json.dump({"gflops": rates, "threads": torch.get_num_threads()}, sys.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--variant", choices=["b32", "b16"], required=True)
    p.add_argument("--dir", required=True)
    r = sub.add_parser("run")
    r.add_argument("--dir", required=True)
    r.add_argument("--batch-sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1, 8])
    r.add_argument("--threads", type=int, default=os.cpu_count())
    r.add_argument("--min-seconds", type=float, default=5.0)
    r.add_argument("--min-runs", type=int, default=3)
    q = sub.add_parser("products")
    q.add_argument("--shapes", required=True)
    q.add_argument("--threads", type=int, default=os.cpu_count())
    q.add_argument("--min-seconds", type=float, default=1.0)
    q.add_argument("--min-runs", type=int, default=3)
    args = parser.parse_args()
    {"prepare": prepare, "run": run, "products": products}[args.command](args)


if __name__ == "__main__":
    main()
