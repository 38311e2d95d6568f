#!/usr/bin/env python3
"""Checks that docs/architecture.md's module table matches Package.swift.

    python3 scripts/check-architecture.py [--package Package.swift] [--doc docs/architecture.md]

Two checks, exit 1 with the differences printed if either fails:
  1. the names of the non-test targets in Package.swift (.target, .executableTarget, .systemLibrary,
     .binaryTarget, .macro) equal the first column of the doc's module table (backticks stripped);
  2. every local target a target depends on is named in that target's "depends on" cell. A cell may spell a
     module without its "Glimpse" prefix ("Tokenizers" for GlimpseTokenizers); other words in it (libraries,
     products, "—") are ignored.

The module table is the first Markdown table whose header row starts with "target" and has a "depends on" column.
Package.swift is parsed simply: balanced parentheses and brackets, string literals and `//` comments; that is
enough for a manifest that lists its targets literally. Standard library only.
"""
import argparse
import os
import re
import sys

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NON_TEST_KINDS = ("target", "executableTarget", "systemLibrary", "binaryTarget", "macro")
ALL_KINDS = NON_TEST_KINDS + ("testTarget",)
MODULE_PREFIX = "Glimpse"


class CheckError(Exception):
    """The package or the document cannot be read the way this script expects."""


def strip_comments(source):
    """Removes // and /* */ comments, leaving string literals alone."""
    out, i, n = [], 0, len(source)
    while i < n:
        c = source[i]
        if c == '"':
            end = i + 1
            while end < n and source[end] != '"':
                end += 2 if source[end] == "\\" else 1
            out.append(source[i:end + 1])
            i = end + 1
        elif source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def balanced(source, start):
    """Returns the text inside the bracket at source[start] (one of ( [ ) up to its matching close."""
    pairs = {"(": ")", "[": "]"}
    stack, i = [pairs[source[start]]], start + 1
    while i < len(source):
        c = source[i]
        if c == '"':
            i += 1
            while i < len(source) and source[i] != '"':
                i += 2 if source[i] == "\\" else 1
        elif c in pairs:
            stack.append(pairs[c])
        elif c in ")]":
            if c != stack.pop():
                raise CheckError(f"unbalanced '{c}' at offset {i} of Package.swift")
            if not stack:
                return source[start + 1:i]
        i += 1
    raise CheckError(f"unclosed '{source[start]}' at offset {start} of Package.swift")


def top_level_items(text):
    """Splits a list's contents at commas that are not nested in brackets or strings."""
    items, depth, current, i = [], 0, [], 0
    while i < len(text):
        c = text[i]
        if c == '"':
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            current.append(text[i:end + 1])
            i = end + 1
            continue
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        if c == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(c)
        i += 1
    if "".join(current).strip():
        items.append("".join(current).strip())
    return items


def parse_package(source):
    """Returns {target name: set of dependency names} for the non-test targets of a Package.swift."""
    source = strip_comments(source)
    targets = {}
    pattern = re.compile(r"\.(" + "|".join(ALL_KINDS) + r")\s*\(")
    declared_until = 0  # a `.target(name:)` inside a declaration is a dependency spelling, not a declaration
    for match in pattern.finditer(source):
        if match.start() < declared_until:
            continue
        kind = match.group(1)
        arguments = balanced(source, match.end() - 1)
        name = re.match(r'\s*name\s*:\s*"([^"]+)"', arguments)
        if not name:
            continue
        declared_until = match.end() + len(arguments)
        if kind == "testTarget":
            continue
        dependencies = set()
        found = re.search(r"\bdependencies\s*:\s*\[", arguments)
        if found:
            for item in top_level_items(balanced(arguments, found.end() - 1)):
                literal = re.fullmatch(r'"([^"]+)"', item)
                by_name = re.fullmatch(r'\.(?:target|byName)\s*\(\s*name\s*:\s*"([^"]+)"[^)]*\)', item)
                if literal or by_name:
                    dependencies.add((literal or by_name).group(1))
        if name.group(1) in targets:
            raise CheckError(f"target {name.group(1)} is declared twice in Package.swift")
        targets[name.group(1)] = dependencies
    return targets


def parse_doc_table(text):
    """Returns {target name: set of words in its "depends on" cell} from the doc's module table."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        cells = split_row(line)
        if not cells or cells[0].strip("` ").lower() != "target":
            continue
        header = [cell.lower() for cell in cells]
        if "depends on" not in header:
            continue
        column = header.index("depends on")
        rows = {}
        for row in lines[index + 2:]:
            cells = split_row(row)
            if cells is None:
                break
            name = cells[0].replace("`", "").strip()
            if name in rows:
                raise CheckError(f"the module table names {name} twice")
            cell = cells[column] if column < len(cells) else ""
            rows[name] = set(re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", cell.replace("`", "")))
        return rows
    raise CheckError('no module table (a Markdown table whose header starts with "target" and has "depends on")')


def split_row(line):
    line = line.strip()
    if not (line.startswith("|") and line.endswith("|")):
        return None
    return [cell.strip() for cell in line[1:-1].split("|")]


def differences(package_targets, doc_rows):
    """Every way the document disagrees with the package, as readable lines (empty when they agree)."""
    problems = []
    for name in sorted(set(package_targets) - set(doc_rows)):
        problems.append(f"target {name} is in Package.swift but not in the module table")
    for name in sorted(set(doc_rows) - set(package_targets)):
        problems.append(f"module table row {name} is not a target of Package.swift")
    for name in sorted(set(package_targets) & set(doc_rows)):
        named = doc_rows[name]
        for dependency in sorted(package_targets[name] & set(package_targets)):
            short = dependency[len(MODULE_PREFIX):] if dependency.startswith(MODULE_PREFIX) else None
            if dependency not in named and short not in named:
                problems.append(f"{name} depends on {dependency}, which its \"depends on\" cell does not name")
    return problems


def check(package_path, doc_path):
    with open(package_path, encoding="utf-8") as file:
        package_targets = parse_package(file.read())
    with open(doc_path, encoding="utf-8") as file:
        doc_rows = parse_doc_table(file.read())
    if not package_targets:
        raise CheckError(f"no targets found in {package_path}")
    return differences(package_targets, doc_rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default=os.path.join(REPOSITORY, "Package.swift"))
    parser.add_argument("--doc", default=os.path.join(REPOSITORY, "docs", "architecture.md"))
    arguments = parser.parse_args(argv)
    try:
        problems = check(arguments.package, arguments.doc)
    except (OSError, CheckError) as error:
        print(f"check-architecture: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"check-architecture: {problem}", file=sys.stderr)
    if problems:
        print(f"check-architecture: {arguments.doc} does not match {arguments.package}", file=sys.stderr)
        return 1
    print(f"check-architecture: {arguments.doc} matches {arguments.package}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
