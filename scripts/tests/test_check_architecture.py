"""scripts/check-architecture.py: the module table in docs/architecture.md must match Package.swift."""
import importlib.util
import io
import os
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPOSITORY = os.path.dirname(SCRIPTS)
spec = importlib.util.spec_from_file_location("check_architecture", os.path.join(SCRIPTS, "check-architecture.py"))
check_architecture = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_architecture)

PACKAGE = """// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Fake",
    products: [.executable(name: "fake", targets: ["fake"])],
    dependencies: [.package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0")],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        // .target(name: "Commented"),
        .target(name: "GlimpseTokenizers"),
        .target(
            name: "GlimpseE5",
            dependencies: ["GlimpseTokenizers", .target(name: "CBLAS"), .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: [.unsafeFlags(["-O"])]
        ),
        .executableTarget(name: "fake", dependencies: ["GlimpseE5"]),
        .testTarget(name: "GlimpseE5Tests", dependencies: ["GlimpseE5"]),
    ]
)
"""

DOC = """# Architecture

| target | folder | depends on | what it is |
| --- | --- | --- | --- |
| `CBLAS` | `Sources/CBLAS` | (system OpenBLAS) | module map |
| `GlimpseTokenizers` | `Sources/GlimpseTokenizers` | — | tokenizers |
| `GlimpseE5` | `Sources/GlimpseE5` | Tokenizers, CBLAS, GRDB | the model |
| `fake` | `Sources/fake` | GlimpseE5 | the executable |

Text after the table.
"""


class CheckArchitectureTests(unittest.TestCase):
    def setUp(self):
        self.temporary = tempfile.TemporaryDirectory()
        self.addCleanup(self.temporary.cleanup)

    def run_check(self, package, doc):
        package_path = os.path.join(self.temporary.name, "Package.swift")
        doc_path = os.path.join(self.temporary.name, "architecture.md")
        with open(package_path, "w", encoding="utf-8") as file:
            file.write(package)
        with open(doc_path, "w", encoding="utf-8") as file:
            file.write(doc)
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = check_architecture.main(["--package", package_path, "--doc", doc_path])
        return code, err.getvalue()

    def test_matching_package_and_table_pass(self):
        code, err = self.run_check(PACKAGE, DOC)
        self.assertEqual(code, 0, err)

    def test_parses_non_test_targets_and_their_local_dependencies(self):
        targets = check_architecture.parse_package(PACKAGE)
        self.assertEqual(set(targets), {"CBLAS", "GlimpseTokenizers", "GlimpseE5", "fake"})
        self.assertEqual(targets["GlimpseE5"], {"GlimpseTokenizers", "CBLAS"})

    def test_target_missing_from_the_table_fails_naming_it(self):
        doc = DOC.replace("| `GlimpseTokenizers` | `Sources/GlimpseTokenizers` | — | tokenizers |\n", "")
        code, err = self.run_check(PACKAGE, doc)
        self.assertEqual(code, 1)
        self.assertIn("target GlimpseTokenizers is in Package.swift but not in the module table", err)

    def test_table_row_without_a_target_fails_naming_it(self):
        doc = DOC.replace("| `fake` |", "| `GlimpseGhost` | `Sources/GlimpseGhost` | — | nothing |\n| `fake` |")
        code, err = self.run_check(PACKAGE, doc)
        self.assertEqual(code, 1)
        self.assertIn("module table row GlimpseGhost is not a target of Package.swift", err)

    def test_local_dependency_missing_from_the_row_fails(self):
        doc = DOC.replace("| Tokenizers, CBLAS, GRDB |", "| Tokenizers, GRDB |")
        code, err = self.run_check(PACKAGE, doc)
        self.assertEqual(code, 1)
        self.assertIn("GlimpseE5 depends on CBLAS", err)

    def test_missing_table_is_an_error(self):
        code, err = self.run_check(PACKAGE, "# Architecture\n\nNo table here.\n")
        self.assertEqual(code, 2)
        self.assertIn("no module table", err)

    def test_repository_table_matches_package_swift(self):
        code, err = self.run_check_files(os.path.join(REPOSITORY, "Package.swift"),
                                         os.path.join(REPOSITORY, "docs", "architecture.md"))
        self.assertEqual(code, 0, err)

    def run_check_files(self, package_path, doc_path):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = check_architecture.main(["--package", package_path, "--doc", doc_path])
        return code, err.getvalue()


if __name__ == "__main__":
    unittest.main()
