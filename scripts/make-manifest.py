#!/usr/bin/env python3
"""Turns a labelled photo directory into a Glimpse ingest manifest (JSON Lines).

    python3 scripts/make-manifest.py PHOTOS_DIR OUT.jsonl [--mode alternate|zh|en|both]
                                     [--labels-out LABELS.tsv] [--seed N]

PHOTOS_DIR holds labels.tsv (columns path, label_en, label_zh, ...; path relative to PHOTOS_DIR), or the
sample-photos.tsv that install-sample-photos.sh writes. Each output line is
    {"id": "<path as in labels.tsv>", "image_path": "<absolute path>", "captions": {"zh": "...", "en": "..."}}

Modes: `alternate` (default) gives each label ONE caption language, alternating over the sorted labels, so half
the labels are captioned only in Chinese and half only in English (all photos of a label alike): that is what
makes a search for "狗" that finds an English-captioned dog photo prove cross-lingual retrieval. `zh`/`en` caption
everything in one language, `both` in both. Captions are short natural sentences picked deterministically from
several phrasings (by a hash of the photo id and --seed), so retrieval does not lean on one template.
Only the Python standard library is used.
"""

import argparse
import hashlib
import json
import os
import sys

LABEL_FILES = ("labels.tsv", "sample-photos.tsv")
REQUIRED_COLUMNS = ("path", "label_en", "label_zh")
MODES = ("alternate", "zh", "en", "both")


class ManifestError(Exception):
    """A problem with the input, reported as one clear message and a non-zero exit."""


# Chinese measure words (量词) keyed by the Chinese label; a label not listed gets only neutral phrasings.
MEASURE_WORDS = {
    "只": "猫 狗 鸡 鸭 羊 山羊 羊驼 鸟 猫头鹰 蝙蝠 蜜蜂 蝴蝶 螃蟹 变色龙 蜥蜴 刺猬 美洲豹 猎豹 袋鼠 考拉 狐猴 狐獴 猴子 "
          "大猩猩 熊猫 小熊猫 鹦鹉 企鹅 北极熊 松鼠 天鹅 兔子 老虎 狮子 熊 青蛙 乌龟 老鼠",
    "头": "牛 猪 野牛 骆驼 驼鹿 犀牛 大象 独角鲸 河马 鹿",
    "匹": "马 斑马",
    "条": "鱼 鳄鱼 海豚 毛毛虫 蛇 鲨鱼 鲸 鲸鱼",
    "把": "椅子 刀 锤子 剪刀 螺丝刀 扳手 钳子 镊子 勺子 叉子 伞 雨伞 钥匙 卷尺",
    "个": "苹果 橙子 棒球 排球 足球 篮球 枕头 灯泡 平底锅 水果 时钟 钟 杯子 盘子 碗 桶 水桶",
    "名": "宇航员 医生 老师 警察",
    "辆": "摩托车 汽车 自行车 公共汽车 卡车 火车",
    "枚": "火箭",
    "块": "太阳能板 石头",
    "支": "铅笔 钢笔",
    "台": "万用表 电脑 相机 照相机",
    "座": "风车 水坝 金字塔 桥 房子 山 城堡",
    "杯": "咖啡 茶",
    "朵": "花 玫瑰 向日葵",
    "棵": "树",
}
MEASURE_WORD_OF = {noun: measure for measure, nouns in MEASURE_WORDS.items() for noun in nouns.split()}

ZH_COUNTED = ("一张{x}的照片", "图中有一{m}{x}", "照片里是一{m}{x}", "这是一{m}{x}的照片")
ZH_NEUTRAL = ("一张{x}的照片", "图中是{x}", "照片里是{x}", "这是{x}的照片")

# English: landmarks and other one-of-a-kind things take "the"; mass nouns take no article; plural-only tools
# come in pairs.
ENGLISH_DEFINITE = {
    "eiffel tower", "great wall", "colosseum", "parthenon", "taj mahal", "statue of liberty",
    "sydney opera house", "leaning tower of pisa",
}
ENGLISH_UNCOUNTED = {"coffee", "fruit", "tea", "water", "rice", "bread"}
ENGLISH_PAIRS = {"scissors", "pliers", "tweezers", "glasses", "trousers", "binoculars", "shears", "tongs"}
EN_PHRASINGS = ("a photo of {a}", "{a} in the picture", "a picture showing {a}", "this is a photo of {a}")


def english_noun_phrase(label):
    """`dog` → `a dog`, `owl` → `an owl`, `eiffel tower` → `the eiffel tower`, `coffee` → `coffee`,
    `pliers` → `a pair of pliers`."""
    if label in ENGLISH_DEFINITE:
        return "the " + label
    if label in ENGLISH_UNCOUNTED:
        return label
    if label in ENGLISH_PAIRS:
        return "a pair of " + label
    return ("an " if label[:1].lower() in "aeiou" else "a ") + label


def phrasing_index(photo_id, seed, count):
    """A stable choice (unlike hash(), which Python salts per process) of one of `count` phrasings."""
    digest = hashlib.sha256(f"{seed}\0{photo_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % count


def english_caption(label, photo_id, seed):
    template = EN_PHRASINGS[phrasing_index(photo_id, seed, len(EN_PHRASINGS))]
    return template.format(a=english_noun_phrase(label))


def chinese_caption(label, photo_id, seed):
    measure = MEASURE_WORD_OF.get(label)
    templates = ZH_COUNTED if measure else ZH_NEUTRAL
    return templates[phrasing_index(photo_id, seed, len(templates))].format(x=label, m=measure or "")


def caption_languages(labels, mode, seed):
    """Maps each English label to the languages its photos are captioned in."""
    if mode == "zh":
        return {label: ("zh",) for label in labels}
    if mode == "en":
        return {label: ("en",) for label in labels}
    if mode == "both":
        return {label: ("zh", "en") for label in labels}
    # alternate: over the sorted labels; the seed's parity decides which language goes first.
    order = ("zh", "en") if seed % 2 == 0 else ("en", "zh")
    return {label: (order[i % 2],) for i, label in enumerate(sorted(labels))}


def find_label_file(photos_dir):
    if not os.path.isdir(photos_dir):
        raise ManifestError(f"{photos_dir}: not a directory")
    for name in LABEL_FILES:
        candidate = os.path.join(photos_dir, name)
        if os.path.isfile(candidate):
            return candidate
    raise ManifestError(f"{photos_dir}: no {' or '.join(LABEL_FILES)} here "
                        f"(expected a TSV with columns {', '.join(REQUIRED_COLUMNS)})")


def read_labels(label_file):
    """Rows of {path, label_en, label_zh} in file order; every problem names the file and line."""
    try:
        with open(label_file, encoding="utf-8-sig") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError(f"{label_file}: cannot read: {error}") from error
    if not lines or not lines[0].strip():
        raise ManifestError(f"{label_file}: empty; expected a header line with {', '.join(REQUIRED_COLUMNS)}")
    header = [column.strip() for column in lines[0].split("\t")]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ManifestError(f"{label_file}:1: header lacks column(s) {', '.join(missing)} (has: {', '.join(header)})")
    index = {column: header.index(column) for column in REQUIRED_COLUMNS}

    rows, line_of_path = [], {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) <= max(index.values()):
            raise ManifestError(f"{label_file}:{number}: expected at least {max(index.values()) + 1} "
                                f"tab-separated fields, got {len(fields)}")
        row = {column: fields[index[column]].strip() for column in REQUIRED_COLUMNS}
        empty = [column for column in REQUIRED_COLUMNS if not row[column]]
        if empty:
            raise ManifestError(f"{label_file}:{number}: empty {', '.join(empty)}")
        if row["path"] in line_of_path:
            raise ManifestError(f"{label_file}:{number}: path {row['path']} already listed on line "
                                f"{line_of_path[row['path']]}")
        line_of_path[row["path"]] = number
        rows.append(row)
    if not rows:
        raise ManifestError(f"{label_file}: lists no photos")

    chinese_of = {}
    for row in rows:
        earlier = chinese_of.setdefault(row["label_en"], row["label_zh"])
        if earlier != row["label_zh"]:
            raise ManifestError(f"{label_file}: label {row['label_en']} has two Chinese labels: "
                                f"{earlier} and {row['label_zh']}")
    return rows


def build_manifest(photos_dir, mode="alternate", seed=0):
    """Returns (manifest lines as dicts, label rows with caption_language) for the photos in `photos_dir`."""
    label_file = find_label_file(photos_dir)
    rows = read_labels(label_file)
    base = os.path.abspath(photos_dir)
    missing = [row["path"] for row in rows if not os.path.isfile(os.path.join(base, row["path"]))]
    if missing:
        shown = "\n  ".join(missing[:20]) + (f"\n  … and {len(missing) - 20} more" if len(missing) > 20 else "")
        raise ManifestError(f"{label_file}: {len(missing)} listed photo(s) not found under {base}:\n  {shown}")

    languages = caption_languages({row["label_en"] for row in rows}, mode, seed)
    entries, labelled = [], []
    for row in rows:
        photo_id = row["path"]
        captions = {}
        for language in languages[row["label_en"]]:
            if language == "zh":
                captions["zh"] = chinese_caption(row["label_zh"], photo_id, seed)
            else:
                captions["en"] = english_caption(row["label_en"], photo_id, seed)
        entries.append({"id": photo_id, "image_path": os.path.normpath(os.path.join(base, photo_id)), "captions": captions})
        language = "both" if len(captions) > 1 else next(iter(captions))
        labelled.append({"id": photo_id, "label_en": row["label_en"], "label_zh": row["label_zh"],
                         "caption_language": language})
    return entries, labelled


def write_atomically(path, text):
    """Writes via a temporary file and a rename, so a failed run never leaves half a manifest behind."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ManifestError(f"{path}: directory {directory} does not exist")
    temporary = f"{path}.tmp-{os.getpid()}"
    try:
        with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise ManifestError(f"{path}: cannot write: {error}") from error


def main(argv=None):
    parser = argparse.ArgumentParser(description="Make a Glimpse ingest manifest (JSON Lines) from labelled photos.")
    parser.add_argument("photos_dir", help="directory holding labels.tsv (or sample-photos.tsv) and the photos")
    parser.add_argument("out", help="the manifest to write (.jsonl)")
    parser.add_argument("--mode", choices=MODES, default="alternate",
                        help="caption languages: alternate (one per label, half zh, half en; default), zh, en, both")
    parser.add_argument("--labels-out", help="also write a TSV: id, label_en, label_zh, caption_language")
    parser.add_argument("--seed", type=int, default=0,
                        help="varies the phrasing choice and which language the alternation starts with (default 0)")
    args = parser.parse_args(argv)

    try:
        entries, labelled = build_manifest(args.photos_dir, args.mode, args.seed)
        write_atomically(args.out, "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries))
        if args.labels_out:
            columns = ("id", "label_en", "label_zh", "caption_language")
            lines = ["\t".join(columns)] + ["\t".join(row[column] for column in columns) for row in labelled]
            write_atomically(args.labels_out, "\n".join(lines) + "\n")
    except ManifestError as error:
        print(f"make-manifest: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
