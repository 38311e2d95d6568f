#!/usr/bin/env python3
"""Saves the committed tiny Chinese-CLIP checkpoint in the other forms published checkpoints take, for the loader tests.

From Tests/Fixtures/CLIP/chinese-clip-tiny/model.safetensors (made by make-clip-fixtures.py) this writes:

  chinese-clip-tiny-bin/      pytorch_model.bin by torch.save (zip + pickle, HalfStorage), as older Hugging Face
                              uploads ship it. Like a real one it also holds an int64 `position_ids` buffer, and one
                              weight is saved as a transposed view (non-unit strides) of its storage;
  chinese-clip-tiny-sharded/  model.safetensors.index.json + 2 shards, as save_pretrained(max_shard_size=...) writes;
  dtypes.bin                  fp32/fp16/bf16 tensors of known values (the values of dtypes.safetensors);
  forbidden-global.bin        a torch-style zip whose data.pkl calls os.system; the loader must refuse it by name
                              (if it ran, it would create /tmp/glimpse-forbidden-pickle-ran).

The other files of each folder (config, tokenizer, preprocessor) are copied. Regenerate with the venv of
make-clip-fixtures.py:
    ~/.cache/glimpse/venv-torch/bin/python scripts/make-checkpoint-fixtures.py
"""
from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import zipfile
from collections import OrderedDict
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

ROOT = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "CLIP"
SOURCE = ROOT / "chinese-clip-tiny"


def copy_side_files(target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    for file in SOURCE.iterdir():
        if file.name != "model.safetensors":
            shutil.copy(file, target / file.name)


def save_bin(state: dict[str, torch.Tensor]) -> None:
    target = ROOT / "chinese-clip-tiny-bin"
    copy_side_files(target)
    bin_state = OrderedDict(state)
    # A view with strides (1, rows): same values, but the reader must follow the strides to get them right.
    name = "text_projection.weight"
    bin_state[name] = state[name].t().contiguous().t()
    assert bin_state[name].stride() != state[name].contiguous().stride()
    # Real checkpoints carry integer buffers; the reader must skip them, not fail.
    positions = state["text_model.embeddings.position_embeddings.weight"].shape[0]
    bin_state["text_model.embeddings.position_ids"] = torch.arange(positions).unsqueeze(0)
    torch.save(bin_state, target / "pytorch_model.bin")
    reloaded = torch.load(target / "pytorch_model.bin", weights_only=True)
    assert all(torch.equal(reloaded[k], v) for k, v in state.items())


def save_sharded(state: dict[str, torch.Tensor]) -> None:
    target = ROOT / "chinese-clip-tiny-sharded"
    copy_side_files(target)
    names = sorted(state)
    half = len(names) // 2
    shards = {"model-00001-of-00002.safetensors": names[:half], "model-00002-of-00002.safetensors": names[half:]}
    weight_map = {}
    total = 0
    for shard, shard_names in shards.items():
        save_file({n: state[n].contiguous() for n in shard_names}, target / shard, metadata={"format": "pt"})
        for n in shard_names:
            weight_map[n] = shard
            total += state[n].numel() * state[n].element_size()
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (target / "model.safetensors.index.json").write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")


def save_dtypes() -> None:
    values = torch.tensor([[1.0, -2.5, 0.15625], [65504.0, -0.0, 3.0e-5]])
    state = OrderedDict(
        f32=values.clone(), f16=values.to(torch.float16), bf16=values.to(torch.bfloat16),
        i64=torch.tensor([1, 2, 3]))
    torch.save(state, ROOT / "dtypes.bin")


class RunsACommand:
    """What a malicious checkpoint pickles: unpickling it calls os.system."""

    def __reduce__(self):
        return (os.system, ("touch /tmp/glimpse-forbidden-pickle-ran",))


def save_forbidden() -> None:
    payload = pickle.dumps(OrderedDict(weight=RunsACommand()), protocol=2)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", payload)
        archive.writestr("archive/version", "3\n")
    (ROOT / "forbidden-global.bin").write_bytes(buffer.getvalue())


def main() -> None:
    state = load_file(SOURCE / "model.safetensors")
    save_bin(state)
    save_sharded(state)
    save_dtypes()
    save_forbidden()
    print("torch", torch.__version__)


if __name__ == "__main__":
    main()
