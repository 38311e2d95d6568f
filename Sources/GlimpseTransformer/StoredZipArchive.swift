import Foundation

/// The entries of a ZIP archive whose members are stored uncompressed, as `torch.save` writes them, read straight
/// from a memory map: the central directory (ZIP64 included, for checkpoints over 4 GiB) gives each entry's local
/// header, and the local header gives where its bytes start. Compressed entries are listed but cannot be read.
/// Small on purpose: a general ZIP library would add inflate code we never need for checkpoints.
package struct StoredZipArchive: Sendable {
    package struct Entry: Sendable {
        package let method: UInt16
        package let size: Int
        /// Byte range of the entry's data in the archive.
        package let range: Range<Int>
    }

    package let path: String
    package let entries: [String: Entry]
    package let data: Data

    package init(path: String) throws {
        self.path = path
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw PyTorchCheckpointError.unreadable(path: path, reason: error.localizedDescription)
        }
        entries = try Self.readEntries(data, path: path)
    }

    private static func readEntries(_ data: Data, path: String) throws -> [String: Entry] {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws -> [String: Entry] in
            func bad(_ reason: String) -> PyTorchCheckpointError { .malformedArchive(path: path, reason: reason) }
            func u16(_ at: Int) throws -> Int {
                guard at >= 0, at + 2 <= bytes.count else { throw bad("a record runs past the end of the file") }
                return Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
            }
            func u32(_ at: Int) throws -> Int {
                guard at >= 0, at + 4 <= bytes.count else { throw bad("a record runs past the end of the file") }
                return Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            }
            func u64(_ at: Int) throws -> Int {
                guard at >= 0, at + 8 <= bytes.count else { throw bad("a record runs past the end of the file") }
                let value = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
                guard value <= UInt64(Int.max) else { throw bad("a ZIP64 field is out of range") }
                return Int(value)
            }
            // The end-of-central-directory record is the last 22 bytes plus a comment of at most 65535 bytes.
            var eocd = -1
            var at = bytes.count - 22
            while at >= max(0, bytes.count - 22 - 65535) {
                if try u32(at) == 0x0605_4b50 {
                    eocd = at
                    break
                }
                at -= 1
            }
            guard eocd >= 0 else {
                throw PyTorchCheckpointError.notAnArchive(
                    path: path, reason: "no ZIP end-of-central-directory record (truncated, or not a zip file)")
            }
            var count = try u16(eocd + 10)
            var directorySize = try u32(eocd + 12)
            var directoryStart = try u32(eocd + 16)
            if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryStart == 0xFFFF_FFFF {
                guard eocd >= 20, try u32(eocd - 20) == 0x0706_4b50 else { throw bad("ZIP64 locator missing") }
                let record = try u64(eocd - 12)
                guard try u32(record) == 0x0606_4b50 else { throw bad("ZIP64 end record missing") }
                count = try u64(record + 32)
                directorySize = try u64(record + 40)
                directoryStart = try u64(record + 48)
            }
            guard directoryStart <= bytes.count, directorySize <= bytes.count - directoryStart else {
                throw bad("the central directory lies outside the file (truncated?)")
            }
            var entries: [String: Entry] = [:]
            var cursor = directoryStart
            for _ in 0..<count {
                guard try u32(cursor) == 0x0201_4b50 else { throw bad("central directory entry signature missing") }
                let method = UInt16(try u16(cursor + 10))
                var size = try u32(cursor + 20)
                let nameLength = try u16(cursor + 28)
                let extraLength = try u16(cursor + 30)
                let commentLength = try u16(cursor + 32)
                var localHeader = try u32(cursor + 42)
                let nameStart = cursor + 46
                guard nameStart + nameLength + extraLength <= bytes.count else { throw bad("entry name past end") }
                let name = String(decoding: bytes[nameStart..<(nameStart + nameLength)], as: UTF8.self)
                // ZIP64 extra field: the 64-bit values present are those whose 32-bit fields are all ones.
                var extra = nameStart + nameLength
                let extraEnd = extra + extraLength
                while extra + 4 <= extraEnd {
                    let id = try u16(extra)
                    let length = try u16(extra + 2)
                    if id == 1 {
                        var field = extra + 4
                        let uncompressed32 = try u32(cursor + 24)
                        if uncompressed32 == 0xFFFF_FFFF { field += 8 }
                        if size == 0xFFFF_FFFF {
                            size = try u64(field)
                            field += 8
                        }
                        if localHeader == 0xFFFF_FFFF { localHeader = try u64(field) }
                    }
                    extra += 4 + length
                }
                guard try u32(localHeader) == 0x0403_4b50 else {
                    throw bad("entry \(name): local header missing (truncated?)")
                }
                let start = localHeader + 30 + (try u16(localHeader + 26)) + (try u16(localHeader + 28))
                guard start <= bytes.count, size <= bytes.count - start else {
                    throw PyTorchCheckpointError.notAnArchive(
                        path: path, reason: "entry \(name) runs past the end of the file (truncated)")
                }
                entries[name] = Entry(method: method, size: size, range: start..<(start + size))
                cursor = extraEnd + commentLength
            }
            return entries
        }
    }

    /// The entry's bytes; only stored (uncompressed) entries can be read.
    package func storedRange(_ name: String) throws -> Range<Int> {
        guard let entry = entries[name] else {
            throw PyTorchCheckpointError.malformedArchive(path: path, reason: "no entry \(name)")
        }
        guard entry.method == 0 else {
            throw PyTorchCheckpointError.compressedEntry(path: path, entry: name, method: entry.method)
        }
        return entry.range
    }
}
