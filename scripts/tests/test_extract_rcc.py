"""extract-rcc.py: reading Qt binary resource files, on .rcc files the test builds itself."""

import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest

from rcc_builder import FLAG_COMPRESSED, FLAG_COMPRESSED_ZSTD, build_rcc

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(SCRIPTS, "extract-rcc.py")
REAL_RCC = "/usr/share/gcompris-qt/rcc/explore_farm_animals.rcc"


def load_script():
    spec = importlib.util.spec_from_file_location("extract_rcc", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rcc = load_script()

PHOTO = bytes(range(256)) * 40  # compressible, and every byte value
FILES = {
    "gcompris/src/activities/farm/resource/animals/dog.webp": (b"RIFF\x10\x00\x00\x00WEBPdog" + PHOTO, FLAG_COMPRESSED),
    "gcompris/src/activities/farm/resource/animals/cat.webp": (b"RIFF\x10\x00\x00\x00WEBPcat", 0),
    "gcompris/src/activities/farm/resource/animals/README": ("Licence: CC0 — 狗\n".encode(), FLAG_COMPRESSED),
    "gcompris/src/activities/farm/Farm.qml": (b"import QtQuick 2.12\n", 0),
    "top.txt": (b"", 0),
}


class ReadingTests(unittest.TestCase):
    def test_lists_every_file_with_its_full_path_for_each_format_version(self):
        for version in (1, 2, 3):
            with self.subTest(version=version):
                parsed = rcc.RccFile(build_rcc(FILES, version=version))
                self.assertEqual(sorted(parsed.entries), sorted("/" + path for path in FILES))

    def test_reads_uncompressed_and_zlib_compressed_entries_byte_for_byte(self):
        for version in (1, 2, 3):
            parsed = rcc.RccFile(build_rcc(FILES, version=version))
            for path, (contents, _) in FILES.items():
                with self.subTest(version=version, path=path):
                    self.assertEqual(parsed.read("/" + path), contents)
                    self.assertEqual(parsed.read(path), contents, "the leading slash is optional")

    def test_a_zstd_entry_is_refused_with_a_clear_message(self):
        parsed = rcc.RccFile(build_rcc({"a/b.webp": (b"\x28\xb5\x2f\xfdzstd", FLAG_COMPRESSED_ZSTD)}))
        with self.assertRaisesRegex(rcc.RccError, "zstd"):
            parsed.read("/a/b.webp")

    def test_a_missing_entry_is_named(self):
        parsed = rcc.RccFile(build_rcc(FILES))
        with self.assertRaisesRegex(rcc.RccError, "no entry /gcompris/horse.webp"):
            parsed.read("/gcompris/horse.webp")

    def test_a_file_without_the_qres_magic_is_refused(self):
        with self.assertRaisesRegex(rcc.RccError, "not a Qt resource file"):
            rcc.RccFile(b"PK\x03\x04" + bytes(40))

    def test_an_unknown_version_is_refused(self):
        data = bytearray(build_rcc(FILES))
        data[4:8] = (9).to_bytes(4, "big")
        with self.assertRaisesRegex(rcc.RccError, "version 9"):
            rcc.RccFile(bytes(data))

    def test_a_truncated_file_raises_an_rcc_error_not_a_crash(self):
        data = build_rcc(FILES)
        for cut in (len(data) - 1, len(data) - 30, len(data) // 2, 30):
            with self.subTest(cut=cut):
                with self.assertRaises(rcc.RccError):
                    parsed = rcc.RccFile(data[:cut])
                    for path in FILES:
                        parsed.read(path)

    def test_a_directory_pointing_back_at_the_root_is_refused_instead_of_looping(self):
        data = bytearray(build_rcc({"a/b.txt": (b"x", 0)}))
        tree = int.from_bytes(data[8:12], "big")
        node_a = tree + 22  # node 1, the directory "a"; its first-child index follows name offset, flags, count
        data[node_a + 10:node_a + 14] = (0).to_bytes(4, "big")
        with self.assertRaisesRegex(rcc.RccError, "reached twice"):
            rcc.RccFile(bytes(data))

    def test_corrupt_compressed_data_is_reported(self):
        data = bytearray(build_rcc({"x.bin": (PHOTO, FLAG_COMPRESSED)}))
        data[24 + 4 + 4 + 10] ^= 0xFF  # inside the zlib stream (header 24, length 4, uncompressed size 4)
        with self.assertRaisesRegex(rcc.RccError, "x.bin"):
            rcc.RccFile(bytes(data)).read("x.bin")

    @unittest.skipUnless(os.path.isfile(REAL_RCC), "gcompris-qt-data is not installed")
    def test_reads_a_real_gcompris_resource_file(self):
        parsed = rcc.RccFile.open(REAL_RCC)
        dog = parsed.read("/gcompris/src/activities/explore_farm_animals/resource/animals/dog.webp")
        self.assertEqual((dog[:4], dog[8:12]), (b"RIFF", b"WEBP"))
        self.assertEqual(int.from_bytes(dog[4:8], "little") + 8, len(dog), "the RIFF size matches the extracted size")
        readme = parsed.read("/gcompris/src/activities/explore_farm_animals/resource/animals/README")
        self.assertIn(b"License", readme)


class CommandLineTests(unittest.TestCase):
    def setUp(self):
        self.temporary = tempfile.TemporaryDirectory()
        self.addCleanup(self.temporary.cleanup)
        self.rcc_path = os.path.join(self.temporary.name, "farm.rcc")
        with open(self.rcc_path, "wb") as handle:
            handle.write(build_rcc(FILES))

    def run_script(self, *args):
        return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True)

    def test_list_prints_every_resource_path(self):
        result = self.run_script(self.rcc_path, "--list")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.decode().splitlines(), sorted("/" + path for path in FILES))

    def test_extract_writes_each_requested_entry(self):
        dog = os.path.join(self.temporary.name, "dog.webp")
        readme = os.path.join(self.temporary.name, "README")
        result = self.run_script(self.rcc_path,
                                 "--extract", "/gcompris/src/activities/farm/resource/animals/dog.webp", dog,
                                 "--extract", "gcompris/src/activities/farm/resource/animals/README", readme)
        self.assertEqual(result.returncode, 0, result.stderr)
        for out, path in ((dog, "dog.webp"), (readme, "README")):
            with open(out, "rb") as handle:
                self.assertEqual(handle.read(), FILES[f"gcompris/src/activities/farm/resource/animals/{path}"][0])

    def test_a_missing_entry_fails_with_its_name_and_writes_nothing(self):
        out = os.path.join(self.temporary.name, "horse.webp")
        result = self.run_script(self.rcc_path, "--extract", "/horse.webp", out)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(b"no entry /horse.webp", result.stderr)
        self.assertFalse(os.path.exists(out))

    def test_an_unreadable_file_fails_with_its_name(self):
        missing = os.path.join(self.temporary.name, "missing.rcc")
        result = self.run_script(missing, "--list")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(missing.encode(), result.stderr)


if __name__ == "__main__":
    unittest.main()
