import Foundation
import GlimpseIndex
import GlimpseTestSupport
import Testing

/// Snapshots must reproduce the index exactly and refuse anything damaged.
struct SnapshotTests {
    private func smallIndex(count: Int = 800, seed: UInt64 = 11) throws -> (HNSWIndex, ClusteredVectors) {
        let data = ClusteredVectors(count: count, dimension: 32, seed: seed)
        let index = try HNSWIndex(
            dimension: 32, parameters: HNSWParameters(m: 12, efConstruction: 80, efSearchDefault: 32, efSearchMax: 256))
        try index.add(ids: data.ids, vectors: data.flat)
        return (index, data)
    }

    private func writtenSnapshot() throws -> (URL, HNSWIndex, ClusteredVectors) {
        let (index, data) = try smallIndex()
        let url = try ScratchDirectory("index").file("space.hnsw")
        try index.write(to: url, watermark: 4_242)
        return (url, index, data)
    }

    @Test func snapshotRoundTripGivesIdenticalResultsAndWatermark() throws {
        let (url, original, data) = try writtenSnapshot()
        let (loaded, watermark) = try HNSWIndex.read(from: url)
        #expect(watermark == 4_242)
        #expect(loaded.count == original.count)
        #expect(loaded.dimension == original.dimension)
        #expect(loaded.parameters == original.parameters)
        let excluded: Set<Int64> = [ClusteredVectors.id(3), ClusteredVectors.id(400)]
        for i in stride(from: 0, to: data.count, by: 37) {
            let query = data.vector(i)
            #expect(
                try loaded.search(query, k: 10, ef: 40, excluding: excluded)
                    == original.search(query, k: 10, ef: 40, excluding: excluded))
        }
    }

    @Test func rewritingReplacesTheSnapshotAndLeavesNoTempFiles() throws {
        let (url, index, _) = try writtenSnapshot()
        try index.write(to: url, watermark: 9_000)
        #expect(try HNSWIndex.read(from: url).1 == 9_000)
        let names = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        // The second write of an index that did not change appends a small segment instead of a base.
        #expect(Set(names).isSubset(of: ["space.hnsw", "space.hnsw.segments"]), "\(names)")
    }

    @Test func flippedByteInTheMiddleThrowsCorruptSnapshot() throws {
        let (url, _, _) = try writtenSnapshot()
        var bytes = try Data(contentsOf: url)
        for offset in [bytes.count / 2, 20, bytes.count - 2] {
            var damaged = bytes
            damaged[offset] ^= 0x5A
            try damaged.write(to: url)
            #expect(throws: HNSWIndexError.self, "flipped byte \(offset)") { try HNSWIndex.read(from: url) }
        }
        bytes[0] = UInt8(ascii: "X")
        try bytes.write(to: url)
        #expect(throws: HNSWIndexError.self) { try HNSWIndex.read(from: url) }
    }

    @Test func truncatedSnapshotThrowsCorruptSnapshot() throws {
        let (url, _, _) = try writtenSnapshot()
        let bytes = try Data(contentsOf: url)
        for length in [0, 7, 56, 100, bytes.count / 2, bytes.count - 1] {
            try bytes.prefix(length).write(to: url)
            do {
                _ = try HNSWIndex.read(from: url)
                Issue.record("a snapshot truncated to \(length) bytes was accepted")
            } catch let error as HNSWIndexError {
                guard case .corruptSnapshot = error else {
                    Issue.record("truncation to \(length) bytes gave \(error)")
                    continue
                }
            }
        }
    }

    @Test func missingSnapshotThrowsIOError() throws {
        let url = try ScratchDirectory("index").file("absent.hnsw")
        #expect(throws: HNSWIndexError.self) { try HNSWIndex.read(from: url) }
    }

    @Test func addAfterLoadExtendsTheIndex() throws {
        let (url, _, data) = try writtenSnapshot()
        let (loaded, _) = try HNSWIndex.read(from: url)
        let more = ClusteredVectors(count: 200, dimension: 32, seed: 12)
        let newIDs = (0..<200).map { Int64(1_000_000 + $0) }
        try loaded.add(ids: newIDs, vectors: more.flat)
        #expect(loaded.count == data.count + 200)
        for i in stride(from: 0, to: 200, by: 23) {
            #expect(try loaded.search(more.vector(i), k: 1, ef: 32).first?.id == newIDs[i])
        }
        // Old ids are still known: re-adding one is refused.
        #expect(throws: HNSWIndexError.self) { try loaded.add(ids: [ClusteredVectors.id(0)], vectors: data.vector(0)) }
    }

    @Test func emptyIndexRoundTrips() throws {
        let url = try ScratchDirectory("index").file("empty.hnsw")
        try HNSWIndex(dimension: 8, parameters: HNSWParameters()).write(to: url, watermark: 0)
        let (loaded, watermark) = try HNSWIndex.read(from: url)
        #expect(loaded.count == 0 && watermark == 0)
        try loaded.add(ids: [5], vectors: [Float](repeating: 0.25, count: 8))
        #expect(try loaded.search([Float](repeating: 0.25, count: 8), k: 3, ef: 8).map(\.id) == [5])
    }
}
