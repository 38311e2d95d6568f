#!/usr/bin/env python3
"""Builds the small CLIP and Chinese-CLIP reference fixtures under Tests/Fixtures/CLIP.

Real CLIP weights cannot be downloaded here, so the Swift towers are proven against Hugging Face `transformers`
on small random checkpoints of the same architecture. This script:

  1. draws a set of test images (JPEG with and without EXIF orientation, CMYK and grey JPEG, RGB/grey/RGBA/palette
     PNG, lossy and lossless WebP, one large photo-sized JPEG) procedurally, so no third-party picture is committed;
  2. trains a tiny byte-level BPE vocabulary in CLIP's format (vocab.json + merges.txt) and writes a tiny BERT
     WordPiece vocab.txt for Chinese-CLIP, both from a training corpus that is not the test texts;
  3. builds a random `CLIPModel` (fp32 safetensors, quick_gelu) and a random `ChineseCLIPModel` (fp16 safetensors,
     vision tower with gelu) with `transformers`, with weights drawn wide enough that different inputs give clearly
     different embeddings, and saves them as Hugging Face folders (config.json, model.safetensors, tokenizer and
     preprocessor files);
  4. runs the transformers tokenizers, the PIL `CLIPImageProcessor` and the models on the test texts and images and
     writes reference.json (token ids, text and image features) and pixels/*.u8 (the processor's output before
     rescaling: CHW uint8, checked to reproduce its float output exactly);
  5. writes dtypes.safetensors with fp32/fp16/bf16 tensors of known values for the loader tests;
  6. with `--recognize` (alone, on the committed checkpoints, leaving everything else as it is): writes
     recognize.json, transformers' zero-shot probabilities for a few images over a small bilingual label set, with
     CLIP's prompt ensembling over the same templates as Glimpse's `LabelLanguage` (label vector = normalise(mean(
     normalise(get_text_features(prompt)))), logits = logit_scale.exp() × cosine, softmax over the labels).

Regenerate (only needed when the fixtures must change; the output is committed):
    python3 -m venv ~/.cache/glimpse/venv-torch && ~/.cache/glimpse/venv-torch/bin/pip install torch transformers pillow numpy safetensors
    ~/.cache/glimpse/venv-torch/bin/python scripts/make-clip-fixtures.py
    ~/.cache/glimpse/venv-torch/bin/python scripts/make-clip-fixtures.py --recognize
The output is deterministic for given library versions; versions used are recorded in reference.json.
"""
from __future__ import annotations

import json
import random
import shutil
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import PIL
import torch
import transformers
from PIL import Image, ImageDraw, ImageFilter
from safetensors.torch import save_file
from transformers import (
    BertTokenizer,
    ChineseCLIPConfig,
    ChineseCLIPModel,
    CLIPConfig,
    CLIPModel,
    CLIPTokenizer,
)
from transformers.image_utils import load_image
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "Fixtures" / "CLIP"
SEED = 20261123

# --------------------------------------------------------------------------------------------------------------
# Texts: the tokenizer and text-tower tests run on these; none of them is in the vocabulary training corpus.
TEST_TEXTS = [
    "a photo of a dog",
    "A brown puppy on the grass",
    "一只棕色的小狗在草地上",
    "狗",
    "dog",
    "一张猫的照片",
    "a photo of a cat.",
    "红色汽车 red car",
    "苹果 apple",
    "Apple iPhone 15 Pro Max",
    "two dogs, three cats & one bird!",
    "Hello, World!!!",
    "it's what they've said: we'll see, I'm sure you'd agree",
    "  lots   of\twhitespace\n\nand newlines  ",
    "UPPER CASE WORDS",
    "MiXeD CaSe TeXt",
    "naïve café résumé",
    "Ünïcödé äccents ñ",
    "数字 123 和 4567",
    "3.14159 is pi",
    "email: someone@example.com",
    "https://example.org/path?q=1",
    "emoji 🐶🐱 test 😀",
    "中文，标点。符号！还有？",
    "《三体》是一本小说",
    "日本語のテキスト",
    "한국어 텍스트",
    "Русский текст",
    "mixed中文English混合text",
    "上海的夜景 night view of Shanghai",
    "a bowl of 拉面 ramen",
    "(parentheses) [brackets] {braces}",
    "quote \"double\" and 'single'",
    "hyphen-ated and under_scored",
    "....",
    "#hashtag @mention $100 50%",
    "a",
    "一",
    "",
    "the quick brown fox jumps over the lazy dog " * 12,
    "一只非常可爱的小猫咪正在阳光明媚的下午躺在窗台上睡觉" * 4,
    "a very long caption that goes on and on describing the scene, the light, the colours, "
    "the people walking by, the cars, the trees, the sky and the clouds until it is longer than the context",
    "café\u0301 combining accent",
    "tab\tseparated\tvalues",
    "ｆｕｌｌｗｉｄｔｈ ｌｅｔｔｅｒｓ",
    "snake 🐍 and dragon 🐉 year",
    "北京 Beijing, 中国 China",
    "sunset over the sea 海上日落",
]

# The vocabulary is learnt from this corpus only, so the test texts also hit unknown merges and byte fallbacks.
TRAINING_CORPUS = [
    "a photo of a {}", "a picture of the {}", "an image showing a {}", "close-up of a {} in the park",
    "一张{}的照片", "一幅{}的图片", "公园里的{}", "在草地上的{}",
]
TRAINING_WORDS_EN = [
    "dog", "cat", "bird", "horse", "car", "bicycle", "tree", "flower", "house", "mountain", "river", "beach",
    "apple", "orange", "banana", "coffee", "cup", "rocket", "astronaut", "butterfly", "sheep", "cow", "fish",
    "brown", "white", "black", "red", "green", "blue", "small", "large", "running", "sleeping", "sitting",
]
TRAINING_WORDS_ZH = [
    "狗", "猫", "鸟", "马", "汽车", "自行车", "树", "花", "房子", "山", "河", "海滩", "苹果", "橙子", "香蕉",
    "咖啡", "杯子", "火箭", "宇航员", "蝴蝶", "羊", "牛", "鱼", "小狗", "小猫", "红色", "绿色", "蓝色",
]


def training_sentences() -> list[str]:
    sentences = []
    for template in TRAINING_CORPUS:
        words = TRAINING_WORDS_ZH if any("\u4e00" <= ch <= "\u9fff" for ch in template) else TRAINING_WORDS_EN
        sentences += [template.format(word) for word in words]
    return sentences


# --------------------------------------------------------------------------------------------------------------
# CLIP's byte-level BPE vocabulary, built exactly as OpenAI's SimpleTokenizer lays it out: the 256 byte symbols,
# the same with "</w>", one entry per merge, then <|startoftext|> and <|endoftext|>.
def bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def train_clip_bpe(sentences: list[str], merge_count: int) -> tuple[dict[str, int], list[str]]:
    import regex

    pattern = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""", regex.IGNORECASE)
    byte_encoder = bytes_to_unicode()
    words: Counter[tuple[str, ...]] = Counter()
    for sentence in sentences:
        for token in pattern.findall(sentence.lower()):
            symbols = [byte_encoder[b] for b in token.encode("utf-8")]
            symbols[-1] += "</w>"
            words[tuple(symbols)] += 1
    merges: list[tuple[str, str]] = []
    for _ in range(merge_count):
        pairs: Counter[tuple[str, str]] = Counter()
        for word, count in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best = max(pairs.items(), key=lambda item: (item[1], item[0]))[0]
        merges.append(best)
        merged: Counter[tuple[str, ...]] = Counter()
        for word, count in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] += count
        words = merged
    vocab_list = list(byte_encoder.values())
    vocab_list += [v + "</w>" for v in vocab_list]
    vocab_list += ["".join(pair) for pair in merges]
    vocab_list += ["<|startoftext|>", "<|endoftext|>"]
    return {token: index for index, token in enumerate(vocab_list)}, [" ".join(pair) for pair in merges]


def write_clip_tokenizer(folder: Path) -> CLIPTokenizer:
    vocab, merges = train_clip_bpe(training_sentences(), merge_count=400)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=0))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[tuple(m.split(" ")) for m in merges], model_max_length=77)
    tokenizer.save_pretrained(folder)
    # save_pretrained rewrites vocab.json/merges.txt in its own way on some versions; keep ours as the source.
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=0))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    return CLIPTokenizer.from_pretrained(folder)


# --------------------------------------------------------------------------------------------------------------
# A tiny BERT WordPiece vocabulary (Chinese-CLIP's text tokenizer): special tokens, punctuation, digits, letters,
# a few whole English words with "##" continuations, and the CJK characters of the training corpus.
def write_wordpiece_vocab(folder: Path) -> BertTokenizer:
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokens += list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    tokens += ["，", "。", "！", "？", "《", "》", "、"]
    tokens += list("0123456789") + ["##" + d for d in "0123456789"]
    tokens += list("abcdefghijklmnopqrstuvwxyz") + ["##" + c for c in "abcdefghijklmnopqrstuvwxyz"]
    tokens += sorted({w for w in TRAINING_WORDS_EN} | {"a", "photo", "of", "the", "picture", "image", "in", "park"})
    tokens += ["##s", "##ing", "##ed", "##er", "##ly", "##og", "##at", "##ar", "##ee"]
    chinese = sorted({ch for s in training_sentences() for ch in s if "\u4e00" <= ch <= "\u9fff"})
    tokens += chinese + ["é", "ü", "ñ"]
    seen, unique = set(), []
    for token in tokens:
        if token not in seen:
            seen.add(token)
            unique.append(token)
    (folder / "vocab.txt").write_text("\n".join(unique) + "\n")
    tokenizer = BertTokenizer(vocab=str(folder / "vocab.txt"), do_lower_case=True, model_max_length=52)
    tokenizer.save_pretrained(folder)
    (folder / "vocab.txt").write_text("\n".join(unique) + "\n")
    return BertTokenizer.from_pretrained(folder)


# --------------------------------------------------------------------------------------------------------------
def draw_scene(width: int, height: int, seed: int) -> Image.Image:
    """A smooth gradient with shapes and a little noise: photo-like enough that JPEG and resampling matter."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack([
        127 + 120 * np.sin(x / width * 3.1 + seed),
        127 + 120 * np.cos(y / height * 2.3 + seed * 0.5),
        127 + 100 * np.sin((x + y) / (width + height) * 5.0),
    ], axis=-1)
    base += rng.normal(0, 6, base.shape)
    image = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    r = random.Random(seed)
    for _ in range(6):
        x0, y0 = r.randrange(width), r.randrange(height)
        x1, y1 = x0 + r.randrange(10, max(11, width // 2)), y0 + r.randrange(10, max(11, height // 2))
        colour = tuple(r.randrange(256) for _ in range(3))
        (draw.ellipse if r.random() < 0.5 else draw.rectangle)([x0, y0, x1, y1], fill=colour)
    draw.line([(0, 0), (width - 1, height - 1)], fill=(255, 255, 255), width=3)
    return image.filter(ImageFilter.GaussianBlur(0.6))


def write_images(folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = []

    def save(name: str, image: Image.Image, **kwargs) -> None:
        image.save(folder / name, **kwargs)
        names.append(name)

    save("scene-320x240.jpg", draw_scene(320, 240, 1), quality=90)
    # Stored sideways with EXIF orientation 6 (rotate 90° clockwise to display): upright it is 200×300.
    upright = draw_scene(200, 300, 2)
    exif = Image.Exif()
    exif[0x0112] = 6
    save("exif-rotate-90.jpg", upright.transpose(Image.Transpose.ROTATE_90), quality=88, exif=exif.tobytes())
    exif8 = Image.Exif()
    exif8[0x0112] = 3
    save("exif-rotate-180.jpg", draw_scene(260, 180, 3).transpose(Image.Transpose.ROTATE_180), quality=88,
         exif=exif8.tobytes())
    save("grey-256.jpg", draw_scene(256, 256, 4).convert("L"), quality=92)
    save("cmyk-200x160.jpg", draw_scene(200, 160, 5).convert("CMYK"), quality=92)
    save("portrait-180x400.png", draw_scene(180, 400, 6))
    save("grey-300x200.png", draw_scene(300, 200, 7).convert("L"))
    rgba = draw_scene(240, 240, 8).convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize((240, 240)))
    save("rgba-240.png", rgba)
    save("palette-200x150.png", draw_scene(200, 150, 9).convert("P", palette=Image.Palette.ADAPTIVE, colors=64))
    save("lossy-240x320.webp", draw_scene(240, 320, 10), quality=80)
    save("lossless-160x120.webp", draw_scene(160, 120, 11), lossless=True)
    save("tiny-100x80.jpg", draw_scene(100, 80, 12), quality=90)
    save("large-1600x1200.jpg", draw_scene(1600, 1200, 13), quality=80)
    return names


def preprocess_references(images_dir: Path, names: list[str], pixels_dir: Path) -> dict:
    """Runs the PIL CLIPImageProcessor (transformers' reference preprocessing) on every image."""
    pixels_dir.mkdir(parents=True, exist_ok=True)
    processor = CLIPImageProcessorPil()
    mean = np.array(processor.image_mean, dtype=np.float32).reshape(3, 1, 1)
    std = np.array(processor.image_std, dtype=np.float32).reshape(3, 1, 1)
    result = {}
    for name in names:
        image = load_image(str(images_dir / name))  # EXIF orientation applied, converted to RGB
        values = processor(images=image, return_tensors="np")["pixel_values"][0].astype(np.float32)
        # Recover the uint8 crop the processor normalised, and prove it reproduces the float output.
        u8 = np.rint((values * std + mean) / processor.rescale_factor).clip(0, 255).astype(np.uint8)
        rebuilt = (u8.astype(np.float32) * np.float32(processor.rescale_factor) - mean) / std
        assert np.abs(rebuilt - values).max() < 1e-5, name
        out = pixels_dir / (Path(name).stem + ".u8")
        out.write_bytes(u8.tobytes())
        result[name] = {
            "decoded_size": list(image.size),
            "pixels": f"pixels/{out.name}",
            "shape": list(u8.shape),
            "float_checksum": float(values.astype(np.float64).sum()),
        }
    return result, processor


def widen_weights(model: torch.nn.Module, seed: int) -> None:
    """transformers' default init (std 0.02) makes a tiny random model map every input to nearly the same vector,
    which would let a wrong implementation pass a cosine test. Draw wider weights instead."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "layer_norm" in name or "LayerNorm" in name or "layrnorm" in name or name.endswith("norm.weight"):
                if name.endswith("weight"):
                    parameter.copy_(1 + 0.2 * torch.randn(parameter.shape, generator=generator))
                else:
                    parameter.copy_(0.1 * torch.randn(parameter.shape, generator=generator))
            elif parameter.dim() >= 2:
                fan_in = parameter.shape[-1] if parameter.dim() == 2 else parameter[0].numel()
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * (1.5 / fan_in ** 0.5))
            elif name.endswith("logit_scale"):
                continue
            else:
                parameter.copy_(0.1 * torch.randn(parameter.shape, generator=generator))


def features(output) -> torch.Tensor:
    return output if isinstance(output, torch.Tensor) else output.pooler_output


def run_family(name: str, model, tokenizer, processor, images_dir: Path, image_names: list[str]) -> dict:
    model.eval()
    ids = [tokenizer(text, truncation=True)["input_ids"] for text in TEST_TEXTS]
    with torch.no_grad():
        text_features = []
        for token_ids in ids:
            input_ids = torch.tensor([token_ids])
            text_features.append(features(model.get_text_features(input_ids=input_ids))[0].tolist())
        image_features = {}
        for image_name in image_names:
            image = load_image(str(images_dir / image_name))
            pixel_values = torch.tensor(processor(images=image, return_tensors="np")["pixel_values"])
            image_features[image_name] = features(model.get_image_features(pixel_values=pixel_values))[0].tolist()
    embeddings = torch.nn.functional.normalize(torch.tensor(text_features), dim=-1)
    similarity = embeddings @ embeddings.T
    off_diagonal = similarity[~torch.eye(len(TEST_TEXTS), dtype=torch.bool)]
    print(f"{name}: text cosine between different texts: min {off_diagonal.min():.3f} max {off_diagonal.max():.3f}"
          f" mean {off_diagonal.mean():.3f}")
    image_embeddings = torch.nn.functional.normalize(torch.tensor(list(image_features.values())), dim=-1)
    image_similarity = image_embeddings @ image_embeddings.T
    off = image_similarity[~torch.eye(len(image_features), dtype=torch.bool)]
    print(f"{name}: image cosine between different images: min {off.min():.3f} max {off.max():.3f}")
    return {
        "texts": TEST_TEXTS,
        "token_ids": ids,
        "text_features": text_features,
        "image_features": image_features,
    }


def build_clip(folder: Path, tokenizer: CLIPTokenizer) -> CLIPModel:
    vocab = tokenizer.get_vocab()
    config = CLIPConfig(
        text_config=dict(
            vocab_size=len(vocab), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
            num_attention_heads=4, max_position_embeddings=77, hidden_act="quick_gelu",
            bos_token_id=vocab["<|startoftext|>"], eos_token_id=vocab["<|endoftext|>"],
            pad_token_id=vocab["<|endoftext|>"],
        ),
        vision_config=dict(
            hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
            image_size=224, patch_size=32, hidden_act="quick_gelu",
        ),
        projection_dim=32,
    )
    torch.manual_seed(SEED)
    model = CLIPModel(config)
    widen_weights(model, SEED)
    model.save_pretrained(folder, safe_serialization=True)
    return model


def build_chinese_clip(folder: Path, tokenizer: BertTokenizer) -> ChineseCLIPModel:
    config = ChineseCLIPConfig(
        text_config=dict(
            vocab_size=len(tokenizer.get_vocab()), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
            num_attention_heads=4, max_position_embeddings=64, hidden_act="gelu", type_vocab_size=2,
            pad_token_id=0,
        ),
        vision_config=dict(
            hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
            image_size=224, patch_size=32, hidden_act="gelu",
        ),
        projection_dim=32,
    )
    torch.manual_seed(SEED + 1)
    model = ChineseCLIPModel(config)
    widen_weights(model, SEED + 1)
    # Stored as fp16; the reference runs the same fp16 weights widened back to fp32.
    model = model.half()
    model.save_pretrained(folder, safe_serialization=True)
    return model.float()


def write_dtype_fixture(folder: Path) -> dict:
    values = torch.tensor([[0.0, 1.0, -2.5, 3.140625], [1e-3, -65504.0, 0.333251953125, 100.0]])
    tensors = {
        "f32": values.clone().float(),
        "f16": values.clone().half(),
        "bf16": values.clone().bfloat16(),
        "vector.f32": torch.arange(5, dtype=torch.float32),
    }
    save_file(tensors, str(folder / "dtypes.safetensors"), metadata={"format": "pt"})
    return {name: tensor.float().flatten().tolist() for name, tensor in tensors.items()}


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    random.seed(SEED)
    torch.manual_seed(SEED)

    images_dir = OUT / "images"
    image_names = write_images(images_dir)
    preprocess, processor = preprocess_references(images_dir, image_names, OUT / "pixels")

    clip_dir = OUT / "clip-tiny"
    clip_dir.mkdir()
    clip_tokenizer = write_clip_tokenizer(clip_dir)
    clip_model = build_clip(clip_dir, clip_tokenizer)
    processor.save_pretrained(clip_dir)

    chinese_dir = OUT / "chinese-clip-tiny"
    chinese_dir.mkdir()
    chinese_tokenizer = write_wordpiece_vocab(chinese_dir)
    chinese_model = build_chinese_clip(chinese_dir, chinese_tokenizer)
    processor.save_pretrained(chinese_dir)

    reference = {
        "generated_by": "scripts/make-clip-fixtures.py",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "pillow": PIL.__version__,
                     "python": sys.version.split()[0]},
        "preprocess": preprocess,
        "clip": run_family("clip", clip_model, clip_tokenizer, processor, images_dir, image_names),
        "chinese_clip": run_family("chinese_clip", chinese_model, chinese_tokenizer, processor, images_dir,
                                   image_names),
        "dtypes": write_dtype_fixture(OUT),
    }
    (OUT / "reference.json").write_text(json.dumps(reference, ensure_ascii=False, indent=1))
    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"wrote {OUT.relative_to(ROOT)} ({total / 1e6:.1f} MB)")


# --------------------------------------------------------------------------------------------------------------
# Zero-shot recognition reference. The templates must equal LabelLanguage.templates in
# Sources/GlimpseService/Recognition/PromptTemplates.swift (the Swift test checks they do).
RECOGNIZE_TEMPLATES = {
    "en": [
        "a photo of a {}.", "a bad photo of a {}.", "a close-up photo of a {}.", "itap of a {}.",
        "a photo of the large {}.", "a photo of the small {}.", "art of the {}.", "a {} in a video game.",
    ],
    "zh": [
        "一张{}的照片。", "{}的糟糕照片。", "{}的特写照片。", "我的{}的照片。", "大{}的照片。", "小{}的照片。",
        "{}的艺术作品。", "视频游戏中的{}。",
    ],
}
RECOGNIZE_LABELS = [
    ("dog", "狗"), ("cat", "猫"), ("bird", "鸟"), ("car", "汽车"), ("tree", "树"), ("flower", "花"),
    ("mountain", "山"), ("river", "河"), ("apple", "苹果"), ("coffee cup", "咖啡杯子"), ("house", "房子"),
    ("beach", "海滩"),
]
RECOGNIZE_IMAGES = ["scene-320x240.jpg", "portrait-180x400.png", "lossy-240x320.webp", "tiny-100x80.jpg"]


def recognize_family(model, tokenizer, processor, language: str) -> dict:
    model.eval()
    names = [en if language == "en" else zh for en, zh in RECOGNIZE_LABELS]
    with torch.no_grad():
        label_vectors = []
        for name in names:
            prompts = [template.replace("{}", name) for template in RECOGNIZE_TEMPLATES[language]]
            vectors = torch.stack([
                features(model.get_text_features(
                    input_ids=torch.tensor([tokenizer(prompt, truncation=True)["input_ids"]])))[0]
                for prompt in prompts])
            vectors = torch.nn.functional.normalize(vectors, dim=-1)
            label_vectors.append(torch.nn.functional.normalize(vectors.mean(dim=0), dim=-1))
        labels = torch.stack(label_vectors)
        probabilities = {}
        for image_name in RECOGNIZE_IMAGES:
            image = load_image(str(OUT / "images" / image_name))
            pixel_values = torch.tensor(processor(images=image, return_tensors="np")["pixel_values"])
            image_vector = torch.nn.functional.normalize(
                features(model.get_image_features(pixel_values=pixel_values)), dim=-1)
            logits = model.logit_scale.exp() * image_vector @ labels.T
            probabilities[image_name] = logits.softmax(dim=-1)[0].tolist()
    return {
        "language": language,
        "logit_scale": float(model.logit_scale.detach()),
        "label_vectors": labels.tolist(),
        "probabilities": probabilities,
    }


def write_recognize_reference() -> None:
    processor = CLIPImageProcessorPil()
    clip = CLIPModel.from_pretrained(OUT / "clip-tiny").float()
    clip_tokenizer = CLIPTokenizer.from_pretrained(OUT / "clip-tiny")
    chinese = ChineseCLIPModel.from_pretrained(OUT / "chinese-clip-tiny").float()
    chinese_tokenizer = BertTokenizer.from_pretrained(OUT / "chinese-clip-tiny")
    reference = {
        "generated_by": "scripts/make-clip-fixtures.py --recognize",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
        "templates": RECOGNIZE_TEMPLATES,
        "labels": [{"english": en, "chinese": zh} for en, zh in RECOGNIZE_LABELS],
        "images": RECOGNIZE_IMAGES,
        "clip": {language: recognize_family(clip, clip_tokenizer, processor, language) for language in ("en", "zh")},
        "chinese_clip": {
            language: recognize_family(chinese, chinese_tokenizer, processor, language) for language in ("zh", "en")
        },
    }
    for family in ("clip", "chinese_clip"):
        for language, result in reference[family].items():
            top = [max(range(len(p)), key=p.__getitem__) for p in result["probabilities"].values()]
            spread = [max(p) for p in result["probabilities"].values()]
            print(f"recognize {family}/{language}: top labels {top}, top probabilities "
                  + ", ".join(f"{value:.3f}" for value in spread))
    (OUT / "recognize.json").write_text(json.dumps(reference, ensure_ascii=False, indent=1))
    print(f"wrote {(OUT / 'recognize.json').relative_to(ROOT)}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--recognize"]:
        write_recognize_reference()
    else:
        main()
