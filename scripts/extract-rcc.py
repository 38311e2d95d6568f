#!/usr/bin/env python3
"""Lists and extracts files from a Qt binary resource file (.rcc, as made by `rcc -binary`), stdlib only.

    python3 scripts/extract-rcc.py FILE.rcc --list
    python3 scripts/extract-rcc.py FILE.rcc --extract RESOURCE_PATH OUT_FILE [--extract ...]

Used by install-sample-photos.sh to take photos out of gcompris-qt-data's activity resources.

Format (Qt's src/corelib/io/qresource.cpp, versions 1-3), all integers big-endian:
  header: "qres", u32 version, u32 tree offset, u32 data offset, u32 names offset, [v3+: u32 overall flags]
  tree:   fixed-size nodes, node 0 is the root; a node is u32 name offset, u16 flags, then
          directory (flags & 2): u32 child count, u32 index of the first child node
          file:                  u16 territory, u16 language, u32 data offset
          and from version 2 on, u64 last-modified time (ms since the epoch). So 14 bytes (v1) or 22 (v2+).
  names:  at names offset + name offset: u16 length in UTF-16 units, u32 hash, UTF-16BE text
  data:   at data offset + data offset: u32 length, payload. Flags 1 (zlib): payload is a u32 uncompressed
          length then a zlib stream (qCompress format). Flags 4 (zstd): a zstd frame, which the standard
          library cannot read, so such entries are reported as an error. gcompris-qt-data 3.1 uses zlib only.
"""

import argparse
import os
import struct
import sys
import zlib

FLAG_COMPRESSED = 0x01
FLAG_DIRECTORY = 0x02
FLAG_COMPRESSED_ZSTD = 0x04


class RccError(Exception):
    """A malformed or unsupported resource file, or a missing entry; the message says which."""


class RccFile:
    """A parsed .rcc: maps resource paths ("/dir/file.jpg") to their (uncompressed) contents on demand."""

    def __init__(self, data, name="<rcc>"):
        self.data = data
        self.name = name
        if len(data) < 20 or data[:4] != b"qres":
            raise RccError(f"{name}: not a Qt resource file (no 'qres' magic)")
        self.version, self.tree, self.payloads, self.names = struct.unpack_from(">IIII", data, 4)
        if self.version not in (1, 2, 3):
            raise RccError(f"{name}: unsupported rcc format version {self.version} (known: 1-3)")
        self.node_size = 14 if self.version == 1 else 22
        self.entries = {}
        self._visited = set()
        self._walk(0, "", depth=0)

    @classmethod
    def open(cls, path):
        try:
            with open(path, "rb") as handle:
                return cls(handle.read(), path)
        except OSError as error:
            raise RccError(f"{path}: cannot read: {error}") from error

    def _unpack(self, fmt, offset, what):
        if offset < 0 or offset + struct.calcsize(fmt) > len(self.data):
            raise RccError(f"{self.name}: {what} at offset {offset} runs past the end of the file")
        return struct.unpack_from(fmt, self.data, offset)

    def _name(self, name_offset):
        start = self.names + name_offset
        (length,) = self._unpack(">H", start, "a name")
        text_start = start + 6  # u16 length, u32 hash
        raw = self.data[text_start:text_start + 2 * length]
        if len(raw) != 2 * length:
            raise RccError(f"{self.name}: a name at offset {start} runs past the end of the file")
        return raw.decode("utf-16-be")

    def _walk(self, index, path, depth):
        """Records every file below node `index`; a corrupt file must not make it loop or recurse without end."""
        if index in self._visited:
            raise RccError(f"{self.name}: tree node {index} is reached twice (corrupt file?)")
        self._visited.add(index)
        if depth > 64:
            raise RccError(f"{self.name}: directory tree nested deeper than 64 levels (corrupt file?)")
        node = self.tree + index * self.node_size
        self._unpack(f">{self.node_size}s", node, "a tree node")  # the whole node, last-modified time included
        name_offset, flags = self._unpack(">IH", node, "a tree node")
        if flags & FLAG_DIRECTORY:
            count, first = self._unpack(">II", node + 6, "a directory node")
            prefix = path + "/" if index else "/"
            for child in range(first, first + count):
                child_node = self.tree + child * self.node_size
                (child_name_offset,) = self._unpack(">I", child_node, "a tree node")
                self._walk(child, prefix + self._name(child_name_offset), depth + 1)
        else:
            (data_offset,) = self._unpack(">I", node + 10, "a file node")
            self.entries[path if index else "/"] = (flags, data_offset)

    def read(self, path):
        """The uncompressed contents of the file at resource path `path` (leading "/" optional)."""
        key = path if path.startswith("/") else "/" + path
        if key not in self.entries:
            raise RccError(f"{self.name}: no entry {key}")
        flags, offset = self.entries[key]
        start = self.payloads + offset
        (length,) = self._unpack(">I", start, f"the data of {key}")
        payload = self.data[start + 4:start + 4 + length]
        if len(payload) != length:
            raise RccError(f"{self.name}: the data of {key} runs past the end of the file")
        if flags & FLAG_COMPRESSED_ZSTD:
            raise RccError(f"{self.name}: {key} is zstd-compressed, which this stdlib-only reader cannot unpack")
        if flags & FLAG_COMPRESSED:
            if length < 4:
                raise RccError(f"{self.name}: compressed data of {key} is too short")
            (expected,) = struct.unpack_from(">I", payload, 0)
            try:
                contents = zlib.decompress(payload[4:])
            except zlib.error as error:
                raise RccError(f"{self.name}: cannot inflate {key}: {error}") from error
            if len(contents) != expected:
                raise RccError(f"{self.name}: {key} inflated to {len(contents)} bytes, header says {expected}")
            return contents
        return payload


def main(argv=None):
    parser = argparse.ArgumentParser(description="List or extract files from a Qt binary resource (.rcc) file.")
    parser.add_argument("rcc", help="the .rcc file")
    parser.add_argument("--list", action="store_true", help="print every resource path")
    parser.add_argument("--extract", nargs=2, action="append", default=[], metavar=("RESOURCE", "OUT_FILE"),
                        help="write the resource RESOURCE to OUT_FILE (repeatable)")
    args = parser.parse_args(argv)
    if not args.list and not args.extract:
        parser.error("give --list or --extract RESOURCE OUT_FILE")
    try:
        rcc = RccFile.open(args.rcc)
        if args.list:
            for path in sorted(rcc.entries):
                print(path)
        for resource, out in args.extract:
            contents = rcc.read(resource)
            temporary = f"{out}.tmp-{os.getpid()}"
            with open(temporary, "wb") as handle:
                handle.write(contents)
            os.replace(temporary, out)
    except (RccError, OSError) as error:
        print(f"extract-rcc: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
