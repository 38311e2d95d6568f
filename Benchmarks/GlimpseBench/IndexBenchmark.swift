import ArgumentParser
import Dispatch
import Foundation
import GlimpseIndex
import Synchronization

/// HNSW build time, single-thread QPS and recall@10 of our index beside faiss-cpu's IndexHNSWFlat and hnswlib
/// (both from pip, run by Benchmarks/index_peers_reference.py) on the same clustered vectors in one run, the
/// QPS each reaches at equal recall, and the recall of a graph grown by small adds with a reload in between
/// beside a batch build of the same vectors.
struct IndexBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "HNSW: build time, QPS at equal recall vs faiss-cpu and hnswlib; incremental vs batch recall.")

    @Option(help: "Vectors in the index.")
    var count = 100_000

    @Option(help: "Vector dimension.")
    var dimension = 384

    @Option(help: "Queries (recall is measured against exact brute force over all of them).")
    var queries = 500

    @Option(help: "Cluster centres the vectors are drawn around.")
    var clusters = 1_000

    @Option(help: "Per-coordinate noise around a centre (higher = harder).")
    var spread: Float = 1.0

    @Option(
        help:
            "Rounds of search passes: each round times every implementation at every ef, alternating; the median pass counts."
    )
    var rounds = 5

    @Option(help: "Search ef values, comma-separated.")
    var efs = "16,32,64,128,256"

    @Option(help: "Python with faiss-cpu, hnswlib and numpy installed (pip install faiss-cpu hnswlib numpy).")
    var python = "python3"

    @Flag(help: "Skip faiss-cpu and hnswlib.")
    var skipPeers = false

    @Flag(help: "Skip the search-latency-during-rebuild measurement.")
    var skipRebuild = false

    @Option(help: "Vectors in the incremental-vs-batch comparison (0 skips it).")
    var incrementalCount = 20_000

    @Option(help: "Filtered-search selectivities (fraction of vectors allowed), comma-separated; empty skips.")
    var filteredSelectivities = "0.5,0.1,0.01,0.001"

    @Option(help: "Queries per filtered-search row (brute-force truth over the allowed vectors).")
    var filteredQueries = 100

    @Option(help: "Vectors per add in the incremental build (the API adds an item's few vectors at a time).")
    var incrementalBatch = 100

    @Option(help: "Vector encodings compared on the same vectors, comma-separated (float32, sq8); empty skips.")
    var encodings = "float32,sq8"

    func run() throws {
        let encodingList = try IndexEncodings.parse(encodings)
        let efList = efs.split(separator: ",").compactMap { Int($0) }
        guard !efList.isEmpty else { throw ValidationError("--efs needs at least one integer") }
        let parameters = HNSWParameters()
        let threads = ProcessInfo.processInfo.activeProcessorCount
        print("CPU: \(MachineLoad.processor())")
        print("load before: \(MachineLoad.loadAverage())")
        var clock = Date()
        let workload = IndexWorkload(
            count: count, queries: queries, dimension: dimension, clusters: clusters, spread: spread, seed: 42)
        let truth = workload.exactTopK(10)
        print(
            "data: \(count) × \(dimension)-d normalised vectors around \(clusters) centres (spread \(spread)), "
                + "\(queries) queries; made with exact top-10 in \(seconds(Date().timeIntervalSince(clock)))")
        print(
            "HNSW M \(parameters.m), efConstruction \(parameters.efConstruction), inner product, for every "
                + "implementation; \(threads) cores; our kernel: \(HNSWIndex.distanceKernelName)")

        var curves: [IndexCurve] = []
        let index = try HNSWIndex(dimension: dimension, parameters: parameters)
        clock = Date()
        try index.add(ids: workload.ids, vectors: workload.vectors)
        let float32BuildSeconds = Date().timeIntervalSince(clock)
        var glimpse = IndexCurve(name: "glimpse", buildSeconds: float32BuildSeconds, buildThreads: threads)
        for ef in efList {
            glimpse.points.append(
                IndexCurve.Point(ef: ef, recall: try recallAt10(index, workload.queries, truth, ef: ef), qps: 0))
        }
        curves.append(glimpse)
        var peers =
            skipPeers ? nil : try IndexPeerSession(python: python, workload: workload, truth: truth, efs: efList)
        curves += peers?.curves ?? []
        // Each round times one pass of every implementation at every ef, alternating, and the tables show the
        // median pass: a slower stretch of the shared machine then costs every implementation the same.
        print("load before the search passes: \(MachineLoad.loadAverage())")
        var passes = [[[Double]]](repeating: [[Double]](repeating: [], count: efList.count), count: curves.count)
        for _ in 0..<rounds {
            for (e, ef) in efList.enumerated() {
                passes[0][e].append(try searchPassSeconds(index, workload.queries, ef: ef))
                for p in 0..<(curves.count - 1) {
                    passes[p + 1][e].append(try peers!.pass(peer: p, ef: ef))
                }
            }
        }
        for c in curves.indices {
            for e in efList.indices {
                curves[c].points[e].qps = Double(workload.queries.count) / median(passes[c][e])
            }
        }
        glimpse = curves[0]
        peers = nil  // the peers' process exits; its memory is not held through the rest of the run
        print("load after the search passes: \(MachineLoad.loadAverage())")
        let parallelQPS = try allThreadsQPS(index, workload.queries, ef: parameters.efSearchDefault)

        print("")
        let reference = curves.first { $0.name.hasPrefix("faiss") }
        printTable(
            header: ["build (bulk add)", "threads", "time", "× faiss-cpu"],
            rows: curves.map { curve in
                [
                    curve.name, "\(curve.buildThreads)", seconds(curve.buildSeconds),
                    reference.map { ratio(curve.buildSeconds, $0.buildSeconds) } ?? "—",
                ]
            })
        print("")
        var searchRows: [[String]] = []
        for curve in curves {
            for point in curve.points {
                searchRows.append([
                    curve.name, "\(point.ef)", String(format: "%.4f", point.recall), String(format: "%.0f", point.qps),
                ])
            }
        }
        printTable(
            header: [
                "search (1 thread, 1 query per call, median of \(rounds) interleaved passes)", "ef", "recall@10", "QPS",
            ],
            rows: searchRows)
        print(
            "glimpse with \(threads) threads at ef \(parameters.efSearchDefault): \(String(format: "%.0f", parallelQPS)) QPS"
        )
        print("")
        var equalRows: [[String]] = []
        for target in [0.90, 0.95, 0.98, 0.99] {
            let ours = glimpse.qps(atRecall: target)
            var row = [String(format: "%.2f", target)]
            for curve in curves { row.append(curve.qps(atRecall: target).map { String(format: "%.0f", $0) } ?? "—") }
            for peer in curves.dropFirst() {
                if let ours, let theirs = peer.qps(atRecall: target) {
                    row.append(ratio(ours, theirs))
                } else {
                    row.append("—")
                }
            }
            equalRows.append(row)
        }
        printTable(
            header: ["recall@10"] + curves.map { "QPS \($0.name)" } + curves.dropFirst().map { "glimpse ÷ \($0.name)" },
            rows: equalRows)
        print("(QPS at a recall is interpolated between the two ef values around it; — when no ef reaches it)")

        if !encodingList.isEmpty {
            print("")
            print(
                "vector encodings on the same \(count) vectors, ef \(parameters.efSearchDefault); recall@10 against the "
                    + "float32 brute force; vector bytes exclude the graph's links:")
            printTable(
                header: IndexEncodings.header,
                rows: try IndexEncodings.rows(
                    encodings: encodingList, parameters: parameters, workload: workload, float32Index: index,
                    float32BuildSeconds: float32BuildSeconds,
                    recall: { try recallAt10($0, workload.queries, truth, ef: parameters.efSearchDefault) },
                    qps: { try singleThreadQPS($0, workload.queries, ef: parameters.efSearchDefault) }))
            print("(sq8 also keeps 8 bytes per dimension per index for its ranges: min and width)")
        }

        let selectivities = filteredSelectivities.split(separator: ",").compactMap { Double($0) }
        if !selectivities.isEmpty {
            print("")
            print(
                "filtered search on the \(count)-vector index, ef \(parameters.efSearchDefault), 1 thread, "
                    + "\(min(filteredQueries, queries)) queries; recall@10 against brute force over the allowed vectors:"
            )
            printTable(
                header: IndexFilteredSearch.header,
                rows: try IndexFilteredSearch.rows(
                    index: index, workload: workload, queries: filteredQueries, ef: parameters.efSearchDefault,
                    selectivities: selectivities, rounds: rounds))
            print("(auto: what the index picks; graph: filtered graph search, ef × 1/selectivity up to the maximum;")
            print(
                " scan: exact scan of the allowed vectors; brute force: the same scan in Swift over the allowed rows)")
        }

        if !skipRebuild {
            print("")
            print(
                "one search thread on the \(count)-vector index while a second one is built beside it (ef \(parameters.efSearchDefault)):"
            )
            printTable(
                header: ["searching while", "build", "p50", "p99", "QPS", "p99 ÷ idle"],
                rows: try IndexRebuildLoad.rows(live: index, workload: workload, ef: parameters.efSearchDefault))
        }

        if incrementalCount > 0 {
            print("")
            try compareIncremental(workload.prefix(incrementalCount), parameters: parameters)
        }
        print("")
        print("load after: \(MachineLoad.loadAverage())")
    }

    /// Recall of a graph grown by `incrementalBatch`-sized adds with a snapshot written and read back at the
    /// halfway point (a daemon restart), beside a batch build of the same vectors.
    private func compareIncremental(_ workload: IndexWorkload, parameters: HNSWParameters) throws {
        let truth = workload.exactTopK(10)
        var clock = Date()
        let batch = try HNSWIndex(dimension: dimension, parameters: parameters)
        try batch.add(ids: workload.ids, vectors: workload.vectors)
        let batchSeconds = Date().timeIntervalSince(clock)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "glimpse-bench-index-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let snapshot = folder.appendingPathComponent("index.snapshot")
        clock = Date()
        var incremental = try HNSWIndex(dimension: dimension, parameters: parameters)
        let ids = workload.ids
        var added = 0
        var reloaded = false
        while added < workload.count {
            let size = min(incrementalBatch, workload.count - added)
            try incremental.add(
                ids: Array(ids[added..<added + size]),
                vectors: Array(workload.vectors[added * dimension..<(added + size) * dimension]))
            added += size
            if !reloaded, added >= workload.count / 2 {
                try incremental.write(to: snapshot, watermark: Int64(added))
                incremental = try HNSWIndex.read(from: snapshot).0
                reloaded = true
            }
        }
        let incrementalSeconds = Date().timeIntervalSince(clock)
        var rows: [[String]] = []
        for (name, index, time) in [
            ("batch build (one add)", batch, batchSeconds),
            (
                "incremental (adds of \(incrementalBatch), reload at \(workload.count / 2))", incremental,
                incrementalSeconds
            ),
        ] {
            var row = [name, seconds(time)]
            for ef in [32, parameters.efSearchDefault] {
                row.append(String(format: "%.4f", try recallAt10(index, workload.queries, truth, ef: ef)))
            }
            rows.append(row)
        }
        print("graph growth on the first \(workload.count) vectors:")
        printTable(
            header: ["glimpse graph", "time", "recall@10 ef 32", "recall@10 ef \(parameters.efSearchDefault)"],
            rows: rows)
    }

    private func recallAt10(_ index: HNSWIndex, _ queries: [[Float]], _ truth: [[Int64]], ef: Int) throws -> Double {
        var found = 0
        for (query, exact) in zip(queries, truth) {
            found += Set(try index.search(query, k: 10, ef: ef, excluding: []).map(\.id)).intersection(exact).count
        }
        return Double(found) / Double(queries.count * 10)
    }

    /// Best of `rounds` passes, one query per call.
    private func singleThreadQPS(_ index: HNSWIndex, _ queries: [[Float]], ef: Int) throws -> Double {
        var best = Double.infinity
        for _ in 0..<rounds { best = min(best, try searchPassSeconds(index, queries, ef: ef)) }
        return Double(queries.count) / best
    }

    /// Seconds for one pass over `queries`, one query per call on this thread.
    private func searchPassSeconds(_ index: HNSWIndex, _ queries: [[Float]], ef: Int) throws -> Double {
        let start = Date()
        for query in queries { _ = try index.search(query, k: 10, ef: ef, excluding: []) }
        return Date().timeIntervalSince(start)
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    private func allThreadsQPS(_ index: HNSWIndex, _ queries: [[Float]], ef: Int) throws -> Double {
        let failure = Mutex<HNSWIndexError?>(nil)
        let total = rounds * queries.count
        let start = Date()
        DispatchQueue.concurrentPerform(iterations: total) { i in
            do {
                _ = try index.search(queries[i % queries.count], k: 10, ef: ef, excluding: [])
            } catch {
                failure.withLock { $0 = error as? HNSWIndexError ?? .backend("\(error)") }
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        if let error = failure.withLock({ $0 }) { throw error }
        return Double(total) / elapsed
    }

    private func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }
    private func ratio(_ a: Double, _ b: Double) -> String { String(format: "%.2f×", a / b) }

    private func printTable(header: [String], rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}

/// One implementation's build time and its recall/QPS curve over ef.
struct IndexCurve {
    struct Point {
        var ef: Int
        var recall: Double
        var qps: Double
    }

    var name: String
    var buildSeconds: Double
    var buildThreads: Int
    var points: [Point] = []

    /// QPS at `target` recall, interpolated linearly between the two ef values whose recalls bracket it.
    func qps(atRecall target: Double) -> Double? {
        let sorted = points.sorted { $0.ef < $1.ef }
        guard let reaching = sorted.firstIndex(where: { $0.recall >= target }) else { return nil }
        guard reaching > 0 else { return sorted[reaching].qps }
        let low = sorted[reaching - 1]
        let high = sorted[reaching]
        let t = (target - low.recall) / max(high.recall - low.recall, 1e-12)
        return low.qps + t * (high.qps - low.qps)
    }
}
