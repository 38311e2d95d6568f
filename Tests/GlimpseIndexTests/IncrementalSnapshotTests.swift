import Foundation
import GlimpseIndex
import GlimpseTestSupport
import Testing

/// Snapshots after the first append only what changed, reload to exactly the saved graph, and survive a
/// damaged tail by handing the rest back to the catalog replay.
struct IncrementalSnapshotTests {
    static let dimension = 32
    static let parameters = HNSWParameters(m: 12, efConstruction: 80, efSearchDefault: 32, efSearchMax: 256)

    private func index(count: Int, seed: UInt64) throws -> (HNSWIndex, ClusteredVectors) {
        let data = ClusteredVectors(count: count, dimension: Self.dimension, seed: seed)
        let index = try HNSWIndex(dimension: Self.dimension, parameters: Self.parameters)
        try index.add(ids: data.ids, vectors: data.flat)
        return (index, data)
    }

    /// Vectors not in any test index, with ids after every ClusteredVectors id.
    private func extra(_ count: Int, from start: Int, seed: UInt64 = 99) -> (ids: [Int64], flat: [Float]) {
        let data = ClusteredVectors(count: start + count, dimension: Self.dimension, seed: seed)
        return ((start..<start + count).map { Int64(10_000_000 + $0) }, Array(data.flat[(start * Self.dimension)...]))
    }

    private func size(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
    }

    private func segments(_ url: URL) -> URL { URL(fileURLWithPath: url.path + ".segments") }

    @Test func smallAddsAppendBytesInProportionToTheAddsNotToTheIndex() throws {
        var appendedPerIndex: [Int] = []
        for (count, seed) in [(3_000, UInt64(31)), (12_000, UInt64(32))] {
            let (index, _) = try index(count: count, seed: seed)
            let scratch = try ScratchDirectory("index")
            defer { scratch.remove() }
            let url = scratch.file("space.hnsw")
            try index.write(to: url, watermark: 1)
            let base = try Data(contentsOf: url)
            var appended: [Int] = []
            for round in 0..<5 {
                let before = size(segments(url))
                let (ids, flat) = extra(20, from: round * 20)
                try index.add(ids: ids, vectors: flat)
                try index.write(to: url, watermark: Int64(2 + round))
                appended.append(size(segments(url)) - before)
            }
            #expect(try Data(contentsOf: url) == base, "the base snapshot was rewritten")
            // Per added vector: its id, level, vector and links, plus the link lists of the nodes it linked to
            // (at most 2M on the bottom level and M on each upper one, each list at most 2M + 4M links here).
            let m = Self.parameters.m
            let listBytes = 4 * (2 * m + 4 * m)
            let perAddBound = 8 + 4 + 4 * Self.dimension + listBytes + (2 * m + 3 * m) * listBytes
            for bytes in appended {
                #expect(
                    bytes > 20 * 4 * Self.dimension && bytes <= 64 + 20 * perAddBound, "\(appended) bytes for 20 adds")
            }
            #expect(
                appended.reduce(0, +) < base.count / 2,
                "5 × 20 adds wrote \(appended) against a \(base.count)-byte base")
            appendedPerIndex.append(appended.reduce(0, +))
        }
        // Four times the index, about the same bytes for the same adds.
        #expect(Double(appendedPerIndex[1]) < 1.5 * Double(appendedPerIndex[0]), "\(appendedPerIndex)")
    }

    @Test func reloadOfBasePlusSegmentsGivesIdenticalSearchResults() throws {
        let (original, data) = try index(count: 3_000, seed: 33)
        let scratch = try ScratchDirectory("index")
        defer { scratch.remove() }
        let url = scratch.file("space.hnsw")
        try original.write(to: url, watermark: 100)
        for round in 0..<3 {
            let (ids, flat) = extra(150, from: round * 150)
            try original.add(ids: ids, vectors: flat)
            try original.write(to: url, watermark: Int64(200 + round))
        }
        let load = try HNSWIndex.load(from: url)
        #expect(load.segmentsApplied == 3)
        #expect(load.watermark == 202)
        #expect(load.discardedSegmentBytes == 0)
        #expect(load.index.count == original.count)
        let (_, newest) = extra(450, from: 0)
        let excluded: Set<Int64> = [ClusteredVectors.id(7), 10_000_003]
        for i in stride(from: 0, to: 3_000, by: 61) {
            let query = data.vector(i)
            #expect(
                try load.index.search(query, k: 10, ef: 32, excluding: excluded)
                    == original.search(query, k: 10, ef: 32, excluding: excluded))
        }
        for i in stride(from: 0, to: 450, by: 29) {
            let query = Array(newest[i * Self.dimension..<(i + 1) * Self.dimension])
            #expect(try load.index.search(query, k: 10, ef: 32) == original.search(query, k: 10, ef: 32))
        }
    }

    @Test func damagedLastSegmentIsIgnoredAndTheCatalogReplayCoversIt() throws {
        for damage in ["flip", "tear"] {
            let (original, _) = try index(count: 2_000, seed: 34)
            let scratch = try ScratchDirectory("index")
            defer { scratch.remove() }
            let url = scratch.file("space.hnsw")
            try original.write(to: url, watermark: 100)
            let first = extra(100, from: 0)
            let second = extra(100, from: 100)
            try original.add(ids: first.ids, vectors: first.flat)
            try original.write(to: url, watermark: 200)
            try original.add(ids: second.ids, vectors: second.flat)
            try original.write(to: url, watermark: 300)

            var bytes = try Data(contentsOf: segments(url))
            if damage == "flip" { bytes[bytes.count - 40] ^= 0x5A } else { bytes = bytes.prefix(bytes.count - 40) }
            try bytes.write(to: segments(url))

            let load = try HNSWIndex.load(from: url)
            #expect(load.segmentsApplied == 1, "\(damage)")
            #expect(load.watermark == 200, "\(damage): the damaged segment's watermark must not be claimed")
            #expect(load.discardedSegmentBytes > 0)
            #expect(load.index.count == 2_100)
            // The catalog replay re-adds every vector after the watermark.
            try load.index.add(ids: second.ids, vectors: second.flat)
            for i in stride(from: 0, to: 100, by: 13) {
                let query = Array(second.flat[i * Self.dimension..<(i + 1) * Self.dimension])
                #expect(try load.index.search(query, k: 1, ef: 32).first?.id == second.ids[i])
            }
            // Its next write starts a fresh base, which reloads whole.
            try load.index.write(to: url, watermark: 300)
            let again = try HNSWIndex.load(from: url)
            #expect(again.index.count == 2_200 && again.watermark == 300 && again.discardedSegmentBytes == 0)
        }
    }

    @Test func segmentsOfAnOlderBaseAreNeverApplied() throws {
        let (old, _) = try index(count: 1_500, seed: 35)
        let scratch = try ScratchDirectory("index")
        defer { scratch.remove() }
        let url = scratch.file("space.hnsw")
        try old.write(to: url, watermark: 10)
        let more = extra(50, from: 0)
        try old.add(ids: more.ids, vectors: more.flat)
        try old.write(to: url, watermark: 20)
        let staleSegments = try Data(contentsOf: segments(url))

        // A rebuilt index replaces the base; a crash before the old segments were removed leaves them behind.
        let (rebuilt, _) = try index(count: 1_200, seed: 36)
        try rebuilt.write(to: url, watermark: 15)
        try staleSegments.write(to: segments(url))
        let load = try HNSWIndex.load(from: url)
        #expect(load.index.count == 1_200)
        #expect(load.watermark == 15)
        #expect(load.segmentsApplied == 0 && load.discardedSegmentBytes == staleSegments.count)
    }
}
