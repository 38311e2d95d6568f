import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseEmbedding
import GlimpseIndex
import GlimpseTestSupport
import Testing

@testable import GlimpseService

/// Issue 11: an sq8 index that starts empty and fills through small API batches has its first add below the 1,000
/// vectors that train its ranges, so they stay [-1, 1]. Once it holds `AutoRebuild.sq8RetrainMinimumVectors` live
/// vectors the service queues one rebuild that trains them from the catalog, its recall then matches a batch
/// build of the same vectors, and a restart neither retrains nor rebuilds again.
@Suite struct Sq8RetrainTests {
    static let dimension = 384
    static let embedder = TestOnlyHashingEmbedder(dimension: dimension)

    /// SplitMix64 steps: reproducible word choices.
    struct WordPicker {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Captions of four words out of 400, so vectors share directions like related captions do.
    private static func caption(_ generator: inout WordPicker, words: Int) -> String {
        (0..<words).map { _ in "w\(generator.next() % 400)" }.joined(separator: " ")
    }

    private func batch(_ range: Range<Int>, generator: inout WordPicker, fixture: ServiceFixture) throws
        -> [IngestItem]
    {
        try range.map { number in
            IngestItem(
                id: "item\(number)", imagePath: try fixture.image("item\(number).jpg"),
                captions: ["en": Self.caption(&generator, words: 4)])
        }
    }

    private func rebuildJobs(_ catalog: Catalog) throws -> [JobRecord] {
        var jobs: [JobRecord] = []
        var id: Int64 = 1
        while let job = try catalog.job(id: id) {
            if job.kind == IndexRebuilder.jobKind { jobs.append(job) }
            id += 1
        }
        return jobs
    }

    private func recall(_ index: HNSWIndex, queries: [[Float]], truth: [[Int64]]) throws -> Double {
        var found = 0
        for (query, exact) in zip(queries, truth) {
            let hits = try index.search(query, k: 10, ef: index.parameters.efSearchDefault)
            found += Set(hits.map(\.id)).intersection(exact).count
        }
        return Double(found) / Double(10 * queries.count)
    }

    @Test func smallBatchesPastTheThresholdEndTrainedWithBatchBuildRecallAndARestartDoesNotRebuild() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let configuration = ServiceConfiguration(
            dataDirectory: fixture.dataDirectory, hnsw: HNSWParameters(vectorEncoding: .sq8))
        let service = try fixture.makeService(embedder: Self.embedder, configuration: configuration)
        var generator = WordPicker(seed: 11)
        let below = AutoRebuild.sq8RetrainMinimumVectors - 100
        let total = AutoRebuild.sq8RetrainMinimumVectors + 500
        try await withRunningService(service) { service in
            for start in stride(from: 0, to: below, by: 50) {
                let items = try batch(start..<start + 50, generator: &generator, fixture: fixture)
                #expect(try await waitForJob(try service.ingest(items).jobID, in: service).state == .done)
            }
            #expect(service.spaces[0].index.count == below)
            #expect(!service.spaces[0].index.rangesTrainedFromData, "50-vector adds leave [-1, 1]")
            let sq8Status = try service.status().indexes[0]
            #expect(sq8Status.vectorEncoding == "sq8" && sq8Status.rangesTrainedFromData == false, "status says so")
            #expect(try rebuildJobs(service.catalog).isEmpty, "no retrain below the threshold")

            for start in stride(from: below, to: total, by: 50) {
                let items = try batch(start..<start + 50, generator: &generator, fixture: fixture)
                #expect(try await waitForJob(try service.ingest(items).jobID, in: service).state == .done)
            }
            // The retrain is a rebuild job the worker runs after the ingests.
            for _ in 0..<3_000 {
                let jobs = try rebuildJobs(service.catalog)
                if jobs.count == 1, jobs[0].state == .done, service.spaces[0].index.count == total { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let jobs = try rebuildJobs(service.catalog)
            #expect(jobs.count == 1 && jobs.first?.state == .done, "\(jobs.map { ($0.id, $0.state) })")
            let index = service.spaces[0].index
            #expect(index.rangesTrainedFromData, "the rebuild trained the ranges")
            #expect(try service.status().indexes[0].rangesTrainedFromData == true)
            #expect(index.count == total && index.parameters.vectorEncoding == .sq8)

            // Recall@10 against brute force over the catalog's vectors: the retrained index against a batch
            // build of the same vectors (one add, so trained from all of them).
            let stored = try service.catalog.vectors(space: Self.embedder.spaceName, after: 0, limit: 100_000)
            #expect(stored.count == total)
            var queryGenerator = WordPicker(seed: 99)
            let queries = try Self.embedder.embed(
                (0..<200).map { _ in Self.caption(&queryGenerator, words: 2) }, role: .query)
            let truth = queries.map { query in
                stored.map { ($0.id, VectorMath.dot(query, $0.vector)) }.sorted { $0.1 > $1.1 }.prefix(10).map(\.0)
            }
            let batchBuilt = try HNSWIndex(dimension: Self.dimension, parameters: HNSWParameters(vectorEncoding: .sq8))
            try batchBuilt.add(ids: stored.map(\.id), vectors: stored.flatMap(\.vector))
            // What the service had before: the same vectors added 50 at a time, ranges [-1, 1].
            let untrained = try HNSWIndex(dimension: Self.dimension, parameters: HNSWParameters(vectorEncoding: .sq8))
            for start in stride(from: 0, to: stored.count, by: 50) {
                let part = stored[start..<min(start + 50, stored.count)]
                try untrained.add(ids: part.map(\.id), vectors: part.flatMap(\.vector))
            }
            let (retrainedRecall, batchRecall, untrainedRecall) = (
                try recall(index, queries: queries, truth: truth),
                try recall(batchBuilt, queries: queries, truth: truth),
                try recall(untrained, queries: queries, truth: truth)
            )
            print(
                "sq8 recall@10 at ef \(index.parameters.efSearchDefault), \(total) × \(Self.dimension): "
                    + "retrained \(retrainedRecall), batch build \(batchRecall), 50-vector adds untrained \(untrainedRecall)"
            )
            #expect(retrainedRecall >= batchRecall - 0.01, "retrained \(retrainedRecall), batch \(batchRecall)")
        }

        // A restart loads the trained ranges from the snapshot: nothing is queued, at start or after more work.
        let restarted = try fixture.makeService(embedder: Self.embedder, configuration: configuration)
        #expect(restarted.spaces[0].index.rangesTrainedFromData)
        #expect(try restarted.catalog.pendingJobs(kind: IndexRebuilder.jobKind).isEmpty)
        try await withRunningService(restarted) { service in
            let items = try batch(total..<total + 50, generator: &generator, fixture: fixture)
            #expect(try await waitForJob(try service.ingest(items).jobID, in: service).state == .done)
            #expect(service.spaces[0].index.count == total + 50)
            #expect(try rebuildJobs(service.catalog).count == 1, "no second rebuild")
        }
    }

    /// An sq8 index whose ranges are untrained but which holds fewer live vectors than the threshold (most of them
    /// deleted) is not rebuilt: a rebuild could not train it either.
    @Test func tombstonedVectorsDoNotCountTowardTheThreshold() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let configuration = ServiceConfiguration(
            dataDirectory: fixture.dataDirectory, hnsw: HNSWParameters(vectorEncoding: .sq8))
        let service = try fixture.makeService(embedder: Self.embedder, configuration: configuration)
        var generator = WordPicker(seed: 12)
        let count = AutoRebuild.sq8RetrainMinimumVectors - 50
        try await withRunningService(service) { service in
            for start in stride(from: 0, to: count, by: 50) {
                let items = try batch(start..<start + 50, generator: &generator, fixture: fixture)
                #expect(try await waitForJob(try service.ingest(items).jobID, in: service).state == .done)
            }
            for number in 0..<100 { _ = try service.delete(id: "item\(number)") }
            let items = try batch(count..<count + 100, generator: &generator, fixture: fixture)
            #expect(try await waitForJob(try service.ingest(items).jobID, in: service).state == .done)
            #expect(service.spaces[0].index.count == count + 100)
            #expect(try rebuildJobs(service.catalog).isEmpty, "950 live vectors of 1,050 queue no retrain")
        }
    }
}
