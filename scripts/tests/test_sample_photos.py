"""sample-photos.tsv and install-sample-photos.sh: the demo's fallback photos when ../shared is absent."""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIST = os.path.join(SCRIPTS, "sample-photos.tsv")
INSTALLER = os.path.join(SCRIPTS, "install-sample-photos.sh")
PACKAGES = ("python3-skimage", "opencv-doc", "gcompris-qt-data")
COLUMNS = ["package", "file", "resource", "output", "label_en", "label_zh"]


def read_list():
    with open(LIST, encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in handle if line.strip() and not line.startswith("#")]
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]]


def packages_installed():
    return all(subprocess.run(["dpkg", "-s", package], capture_output=True).returncode == 0 for package in PACKAGES)


class SamplePhotoListTests(unittest.TestCase):
    def setUp(self):
        self.header, self.rows = read_list()

    def test_rows_are_well_formed(self):
        self.assertEqual(self.header, COLUMNS)
        for row in self.rows:
            with self.subTest(row=row):
                self.assertEqual(len(row), len(COLUMNS))
                package, file, resource, output, label_en, label_zh = row
                self.assertIn(package, PACKAGES)
                self.assertTrue(file.startswith("/"), file)
                if file.endswith(".rcc"):
                    self.assertTrue(resource.startswith("/"), "an rcc row names the resource inside it")
                else:
                    self.assertEqual(resource, "-")
                self.assertFalse(os.path.isabs(output) or ".." in output.split("/"), output)
                self.assertEqual(output.split("/")[0], label_en.replace(" ", "_"), "photos sit in a folder per label")
                self.assertTrue(label_en and label_zh)

    def test_output_paths_are_unique_and_each_label_has_one_chinese_name(self):
        outputs = [row[3] for row in self.rows]
        self.assertEqual(len(outputs), len(set(outputs)))
        chinese = {}
        for row in self.rows:
            self.assertEqual(chinese.setdefault(row[4], row[5]), row[5], row[4])

    def test_enough_photos_for_the_demo_including_dog_and_cat(self):
        labels = {row[4] for row in self.rows}
        self.assertGreaterEqual(len(self.rows), 15)
        self.assertGreaterEqual(len(labels), 10)
        self.assertTrue({"dog", "cat"} <= labels)


def tree_digest(directory):
    digest = {}
    for folder, _, files in os.walk(directory):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                digest[os.path.relpath(path, directory)] = hashlib.sha256(handle.read()).hexdigest()
    return digest


@unittest.skipUnless(packages_installed(), "needs " + ", ".join(PACKAGES) + " installed (the test never installs them)")
class InstallerTests(unittest.TestCase):
    def test_installs_labelled_real_photos_with_licences_and_is_idempotent(self):
        with tempfile.TemporaryDirectory() as temporary:
            out = os.path.join(temporary, "photos")
            first = subprocess.run(["bash", INSTALLER, out], capture_output=True, text=True)
            self.assertEqual(first.returncode, 0, first.stderr)
            before = tree_digest(out)

            with open(os.path.join(out, "labels.tsv"), encoding="utf-8") as handle:
                rows = [line.rstrip("\n").split("\t") for line in handle]
            self.assertEqual(rows[0][:3], ["path", "label_en", "label_zh"])
            self.assertEqual(len(rows) - 1, len(read_list()[1]), "every listed photo was installed")
            magic = (b"\xff\xd8\xff", b"\x89PNG", b"RIFF")
            for path, *_ in rows[1:]:
                with open(os.path.join(out, path), "rb") as handle:
                    head = handle.read(12)
                self.assertTrue(head.startswith(magic), f"{path} is not a JPEG, PNG or WebP: {head!r}")
            for package in PACKAGES:
                self.assertTrue(os.path.isfile(os.path.join(out, "LICENSES", package + ".copyright")), package)

            manifest = os.path.join(temporary, "manifest.jsonl")
            made = subprocess.run([sys.executable, os.path.join(SCRIPTS, "make-manifest.py"), out, manifest],
                                  capture_output=True, text=True)
            self.assertEqual(made.returncode, 0, made.stderr)
            with open(manifest, encoding="utf-8") as handle:
                self.assertEqual(len([json.loads(line) for line in handle]), len(rows) - 1)

            again = subprocess.run(["bash", INSTALLER, out], capture_output=True, text=True)
            self.assertEqual(again.returncode, 0, again.stderr)
            self.assertEqual(tree_digest(out), before, "a second run leaves the same files")

    def test_refuses_a_missing_argument(self):
        result = subprocess.run(["bash", INSTALLER], capture_output=True, text=True)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("usage", result.stderr)


if __name__ == "__main__":
    unittest.main()
