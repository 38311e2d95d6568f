#!/usr/bin/env python3
"""PyTorch `transformers` side of `glimpse-bench recognize-labels`: recognize's label vectors (CLIP prompt
ensembling) computed by transformers on the same random full-size text tower and the same token ids.

    prepare --family clip|chinese_clip --dir DIR --bos N --eos N --pad N
        Writes a random-weight model as a Hugging Face folder (config.json + model.safetensors, fp32) whose text
        tower has the published size: OpenAI CLIP ViT-B's (512 wide, 12 layers, 8 heads, MLP 2048, 77 positions,
        vocabulary 49408) or Chinese-CLIP ViT-B/16's RoBERTa-wwm-base (768 wide, 12 layers, 12 heads, MLP 3072,
        vocabulary 21128), projection 512. The vision tower is shrunk to one small layer: only texts are timed.
        The special token ids are the tokenizer's the Swift side uses. Does nothing when the folder exists.
    run --dir DIR --token-ids FILE --threads N
        FILE holds a JSON list of labels, each a list of prompts' token ids. Per label, the prompts are embedded as
        one padded batch with get_text_features, each normalised, averaged and normalised again; prints JSON with
        the label vectors, prompts/s and versions.

Never committed: the folder lives in the benchmark's cache directory.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def prepare(args: argparse.Namespace) -> None:
    import torch
    from transformers import ChineseCLIPConfig, ChineseCLIPModel, CLIPConfig, CLIPModel

    folder = Path(args.dir)
    if (folder / "config.json").exists() and (folder / "model.safetensors").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    vision = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=1, num_attention_heads=4, image_size=224,
                  patch_size=32)
    torch.manual_seed(4321)
    if args.family == "clip":
        config = CLIPConfig(
            text_config=dict(vocab_size=49408, hidden_size=512, intermediate_size=2048, num_hidden_layers=12,
                             num_attention_heads=8, max_position_embeddings=77, hidden_act="quick_gelu",
                             bos_token_id=args.bos, eos_token_id=args.eos, pad_token_id=args.pad),
            vision_config=dict(vision, hidden_act="quick_gelu"), projection_dim=512)
        model = CLIPModel(config)
    else:
        config = ChineseCLIPConfig(
            text_config=dict(vocab_size=21128, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                             num_attention_heads=12, max_position_embeddings=512, type_vocab_size=2,
                             hidden_act="gelu", pad_token_id=args.pad),
            vision_config=dict(vision, hidden_act="gelu"), projection_dim=512)
        model = ChineseCLIPModel(config)
    model.eval().save_pretrained(folder, safe_serialization=True)


def run(args: argparse.Namespace) -> None:
    import torch
    import transformers
    from transformers import AutoConfig, ChineseCLIPModel, CLIPModel

    torch.set_num_threads(args.threads)
    folder = Path(args.dir)
    family = AutoConfig.from_pretrained(folder).model_type
    model = (CLIPModel if family == "clip" else ChineseCLIPModel).from_pretrained(folder, dtype=torch.float32).eval()
    pad = model.config.text_config.pad_token_id or 0
    labels = json.loads(Path(args.token_ids).read_text())

    def features(batch, mask):
        output = model.get_text_features(input_ids=batch, attention_mask=mask)
        return output if isinstance(output, torch.Tensor) else output.pooler_output

    vectors = []
    prompts = 0
    with torch.inference_mode():
        start = time.perf_counter()
        for label in labels:
            width = max(len(ids) for ids in label)
            batch = torch.tensor([ids + [pad] * (width - len(ids)) for ids in label])
            mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids in label])
            embedded = torch.nn.functional.normalize(features(batch, mask), dim=-1)
            vectors.append(torch.nn.functional.normalize(embedded.mean(dim=0), dim=-1).tolist())
            prompts += len(label)
        elapsed = time.perf_counter() - start
    json.dump({
        "vectors": vectors, "prompts_per_second": prompts / elapsed, "seconds": elapsed,
        "threads": torch.get_num_threads(), "torch": torch.__version__, "transformers": transformers.__version__,
    }, sys.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--family", choices=["clip", "chinese_clip"], required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--bos", type=int, default=0)
    p.add_argument("--eos", type=int, default=0)
    p.add_argument("--pad", type=int, default=0)
    r = sub.add_parser("run")
    r.add_argument("--dir", required=True)
    r.add_argument("--token-ids", required=True)
    r.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    prepare(args) if args.command == "prepare" else run(args)


if __name__ == "__main__":
    main()
