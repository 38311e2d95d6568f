"""Builds small Qt binary resource (.rcc) files the way `rcc -binary` lays them out, for testing the reader.

Layout: header, data, names, tree (nodes breadth-first, each directory's children contiguous and sorted by
name hash as Qt does). Integers are big-endian.
"""

import struct
import zlib

FLAG_COMPRESSED = 0x01
FLAG_DIRECTORY = 0x02
FLAG_COMPRESSED_ZSTD = 0x04


def qt_hash(name):
    """qt_hash() from Qt's qresource.cpp, over UTF-16 code units."""
    h = 0
    units = name.encode("utf-16-be")
    for i in range(0, len(units), 2):
        h = (h << 4) + int.from_bytes(units[i:i + 2], "big")
        h ^= (h & 0xF0000000) >> 23
        h &= 0x0FFFFFFF
    return h


def build_rcc(files, version=3):
    """`files` maps "dir/sub/name" to (contents, flags) with flags 0, FLAG_COMPRESSED or FLAG_COMPRESSED_ZSTD
    (the zstd payload is stored as given, since only the reader's refusal is under test)."""
    root = {}
    for path, entry in files.items():
        *directories, name = path.strip("/").split("/")
        node = root
        for directory in directories:
            node = node.setdefault(directory, {})
        node[name] = entry

    data, names, name_offsets = bytearray(), bytearray(), {}

    def name_offset(name):
        if name not in name_offsets:
            name_offsets[name] = len(names)
            encoded = name.encode("utf-16-be")
            names.extend(struct.pack(">HI", len(encoded) // 2, qt_hash(name)) + encoded)
        return name_offsets[name]

    def data_offset(contents, flags):
        offset = len(data)
        payload = contents
        if flags & FLAG_COMPRESSED:
            payload = struct.pack(">I", len(contents)) + zlib.compress(contents)
        data.extend(struct.pack(">I", len(payload)) + payload)
        return offset

    nodes = [None]  # node 0 is the root
    queue = [(0, "", root)]
    while queue:
        index, name, content = queue.pop(0)
        offset = name_offset(name) if index else 0
        if isinstance(content, dict):
            children = sorted(content.items(), key=lambda item: qt_hash(item[0]))
            first = len(nodes)
            nodes.extend([None] * len(children))
            node = struct.pack(">IHII", offset, FLAG_DIRECTORY, len(children), first)
            queue.extend((first + i, child_name, child) for i, (child_name, child) in enumerate(children))
        else:
            contents, flags = content
            node = struct.pack(">IHHHI", offset, flags, 0, 1, data_offset(contents, flags))
        if version >= 2:
            node += struct.pack(">Q", 1_600_000_000_000)
        nodes[index] = node

    header_size = 24 if version >= 3 else 20
    data_start = header_size
    names_start = data_start + len(data)
    tree_start = names_start + len(names)
    header = b"qres" + struct.pack(">IIII", version, tree_start, data_start, names_start)
    if version >= 3:
        header += struct.pack(">I", FLAG_COMPRESSED)
    return header + bytes(data) + bytes(names) + b"".join(nodes)
