"""make-manifest.py: labelled photo directory → JSON Lines manifest (+ labels TSV), on tiny fake photos."""

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(SCRIPTS, "make-manifest.py")


def load_script():
    spec = importlib.util.spec_from_file_location("make_manifest", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Six labels (so alternate mode must split them 3/3), several photos for some, one with a space in its name.
PHOTOS = [
    ("dog/dog1.jpg", "dog", "狗"),
    ("dog/dog2.jpg", "dog", "狗"),
    ("dog/dog3.jpg", "dog", "狗"),
    ("cat/cat1.jpg", "cat", "猫"),
    ("cat/cat2.jpg", "cat", "猫"),
    ("horse/horse.jpg", "horse", "马"),
    ("owl/owl.webp", "owl", "猫头鹰"),
    ("eiffel_tower/tower.jpg", "eiffel tower", "埃菲尔铁塔"),
    ("scissors/scissors.png", "scissors", "剪刀"),
]


def write_photo_dir(directory, photos=PHOTOS, label_file="labels.tsv", extra_columns=True):
    """Fake photos (a few bytes each) and a labels TSV like the shared one."""
    header = ["path", "label_en", "label_zh"] + (["source", "license", "width", "height"] if extra_columns else [])
    lines = ["\t".join(header)]
    for path, english, chinese in photos:
        full = os.path.join(directory, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as handle:
            handle.write(b"\xff\xd8fake " + path.encode())
        lines.append("\t".join([path, english, chinese] + (["test", "CC0", "4", "3"] if extra_columns else [])))
    with open(os.path.join(directory, label_file), "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True, encoding="utf-8")


def read_manifest(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_tsv(path):
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle if line.strip()]


class ManifestTestCase(unittest.TestCase):
    def setUp(self):
        self.temporary = tempfile.TemporaryDirectory()
        self.addCleanup(self.temporary.cleanup)
        self.root = self.temporary.name
        self.photos = os.path.join(self.root, "photos")
        os.makedirs(self.photos)
        self.out = os.path.join(self.root, "manifest.jsonl")
        self.labels_out = os.path.join(self.root, "labels-out.tsv")

    def make(self, *extra, photos_dir=None):
        result = run(photos_dir or self.photos, self.out, *extra)
        self.assertEqual(result.returncode, 0, result.stderr)
        return read_manifest(self.out)


class AlternateModeTests(ManifestTestCase):
    def setUp(self):
        super().setUp()
        write_photo_dir(self.photos)

    def test_every_line_is_an_object_with_id_absolute_existing_image_path_and_captions(self):
        entries = self.make("--mode", "alternate")
        self.assertEqual([entry["id"] for entry in entries], [path for path, _, _ in PHOTOS])
        for entry in entries:
            self.assertEqual(set(entry), {"id", "image_path", "captions"})
            self.assertTrue(os.path.isabs(entry["image_path"]), entry["image_path"])
            self.assertTrue(os.path.isfile(entry["image_path"]), entry["image_path"])
            self.assertEqual(os.path.realpath(entry["image_path"]),
                             os.path.realpath(os.path.join(self.photos, entry["id"])))

    def test_each_label_is_captioned_in_exactly_one_language_and_both_languages_are_used(self):
        entries = self.make()  # alternate is the default
        label_of = {path: english for path, english, _ in PHOTOS}
        languages_of_label = {}
        for entry in entries:
            self.assertEqual(len(entry["captions"]), 1, entry)
            languages_of_label.setdefault(label_of[entry["id"]], set()).update(entry["captions"])
        for label, languages in languages_of_label.items():
            self.assertEqual(len(languages), 1, f"{label} captioned in {languages}")
        per_language = [sum(1 for languages in languages_of_label.values() if language in languages)
                        for language in ("zh", "en")]
        self.assertEqual(per_language, [3, 3], "six labels split half Chinese, half English")

    def test_captions_contain_the_label_in_their_language(self):
        labels = {path: (english, chinese) for path, english, chinese in PHOTOS}
        for entry in self.make():
            english, chinese = labels[entry["id"]]
            if "en" in entry["captions"]:
                self.assertIn(english, entry["captions"]["en"])
            if "zh" in entry["captions"]:
                self.assertIn(chinese, entry["captions"]["zh"])

    def test_output_is_identical_across_runs(self):
        self.make("--labels-out", self.labels_out)
        with open(self.out, "rb") as first_manifest, open(self.labels_out, "rb") as first_labels:
            first = (first_manifest.read(), first_labels.read())
        os.remove(self.out)
        self.make("--labels-out", self.labels_out)
        with open(self.out, "rb") as second_manifest, open(self.labels_out, "rb") as second_labels:
            self.assertEqual(first, (second_manifest.read(), second_labels.read()))

    def test_labels_out_lists_each_manifest_id_with_its_labels_and_caption_language(self):
        entries = self.make("--labels-out", self.labels_out)
        rows = read_tsv(self.labels_out)
        self.assertEqual(rows[0], ["id", "label_en", "label_zh", "caption_language"])
        self.assertEqual([row[:3] for row in rows[1:]], [list(photo) for photo in PHOTOS])
        language_of = {entry["id"]: next(iter(entry["captions"])) for entry in entries}
        for photo_id, _, _, language in rows[1:]:
            self.assertEqual(language, language_of[photo_id])

    def test_the_seed_swaps_which_labels_get_which_language(self):
        first = {entry["id"]: set(entry["captions"]) for entry in self.make("--seed", "0")}
        second = {entry["id"]: set(entry["captions"]) for entry in self.make("--seed", "1")}
        for photo_id in first:
            self.assertEqual(first[photo_id] | second[photo_id], {"zh", "en"}, photo_id)


class OtherModeTests(ManifestTestCase):
    def setUp(self):
        super().setUp()
        write_photo_dir(self.photos)

    def test_single_language_modes_caption_every_photo_in_that_language(self):
        for language in ("zh", "en"):
            entries = self.make("--mode", language, "--labels-out", self.labels_out)
            self.assertEqual({tuple(entry["captions"]) for entry in entries}, {(language,)})
            self.assertEqual({row[3] for row in read_tsv(self.labels_out)[1:]}, {language})

    def test_both_mode_captions_every_photo_in_both_languages(self):
        entries = self.make("--mode", "both", "--labels-out", self.labels_out)
        self.assertEqual({frozenset(entry["captions"]) for entry in entries}, {frozenset({"zh", "en"})})
        self.assertEqual({row[3] for row in read_tsv(self.labels_out)[1:]}, {"both"})

    def test_a_directory_with_only_sample_photos_tsv_is_accepted(self):
        sample_dir = os.path.join(self.root, "sample")
        os.makedirs(sample_dir)
        write_photo_dir(sample_dir, PHOTOS[:4], label_file="sample-photos.tsv", extra_columns=False)
        entries = self.make(photos_dir=sample_dir)
        self.assertEqual([entry["id"] for entry in entries], [path for path, _, _ in PHOTOS[:4]])


class CaptionPhrasingTests(unittest.TestCase):
    def setUp(self):
        self.script = load_script()

    def test_english_noun_phrases_use_the_right_article(self):
        phrase = self.script.english_noun_phrase
        self.assertEqual(phrase("dog"), "a dog")
        self.assertEqual(phrase("owl"), "an owl")
        self.assertEqual(phrase("eiffel tower"), "the eiffel tower")
        self.assertEqual(phrase("coffee"), "coffee")
        self.assertEqual(phrase("scissors"), "a pair of scissors")

    def test_captions_of_one_label_vary_in_phrasing(self):
        ids = [f"dog/{n}.jpg" for n in range(40)]
        english = {self.script.english_caption("dog", photo_id, 0) for photo_id in ids}
        chinese = {self.script.chinese_caption("狗", photo_id, 0) for photo_id in ids}
        self.assertGreater(len(english), 1, english)
        self.assertGreater(len(chinese), 1, chinese)

    def test_counted_chinese_phrasings_use_the_measure_word_of_the_noun(self):
        expected = {"狗": "只", "马": "匹", "牛": "头", "鱼": "条", "剪刀": "把", "摩托车": "辆", "苹果": "个"}
        for noun, measure in expected.items():
            captions = {self.script.chinese_caption(noun, f"x/{n}.jpg", 0) for n in range(40)}
            # "一张X的照片" counts the photo (张), not the thing in it.
            counted = [caption for caption in captions if re.search("一[^张]" + noun, caption)]
            self.assertTrue(counted, f"no counted phrasing among {captions}")
            for caption in counted:
                self.assertIn("一" + measure + noun, caption)

    def test_nouns_without_a_known_measure_word_get_neutral_phrasings(self):
        captions = {self.script.chinese_caption("埃菲尔铁塔", f"x/{n}.jpg", 0) for n in range(40)}
        for caption in captions:
            self.assertIn("埃菲尔铁塔", caption)
            self.assertNotRegex(caption, "一[^张]埃菲尔铁塔")


class ErrorTests(ManifestTestCase):
    def assertFails(self, result, *fragments):
        self.assertNotEqual(result.returncode, 0)
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)
        self.assertFalse(os.path.exists(self.out), "no manifest is written on failure")

    def test_a_directory_without_labels_tsv_is_refused(self):
        self.assertFails(run(self.photos, self.out), "labels.tsv", self.photos)

    def test_a_missing_photos_directory_is_refused(self):
        missing = os.path.join(self.root, "nope")
        self.assertFails(run(missing, self.out), missing)

    def test_missing_photo_files_are_all_named(self):
        write_photo_dir(self.photos)
        os.remove(os.path.join(self.photos, "dog/dog2.jpg"))
        os.remove(os.path.join(self.photos, "owl/owl.webp"))
        self.assertFails(run(self.photos, self.out), "2 listed photo(s) not found", "dog/dog2.jpg", "owl/owl.webp")

    def test_a_header_without_label_columns_is_refused(self):
        with open(os.path.join(self.photos, "labels.tsv"), "w", encoding="utf-8") as handle:
            handle.write("path\tname\na.jpg\tdog\n")
        self.assertFails(run(self.photos, self.out), "label_en", "label_zh")

    def test_a_row_with_an_empty_label_names_its_line(self):
        write_photo_dir(self.photos)
        with open(os.path.join(self.photos, "labels.tsv"), "a", encoding="utf-8") as handle:
            handle.write("dog/dog1.jpg\t\t狗\tx\tx\t1\t1\n")
        self.assertFails(run(self.photos, self.out), "labels.tsv:11", "label_en")

    def test_a_label_with_two_chinese_names_is_refused(self):
        write_photo_dir(self.photos, [("a/1.jpg", "dog", "狗"), ("a/2.jpg", "dog", "犬")])
        self.assertFails(run(self.photos, self.out), "狗", "犬")

    def test_an_unknown_mode_is_refused(self):
        write_photo_dir(self.photos)
        self.assertFails(run(self.photos, self.out, "--mode", "fr"), "--mode")


if __name__ == "__main__":
    unittest.main()
