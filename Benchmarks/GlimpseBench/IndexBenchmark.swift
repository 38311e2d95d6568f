import ArgumentParser
import Dispatch
import Foundation
import GlimpseIndex
import Synchronization

/// HNSW build time, QPS and recall@10 of our index (AVX2 distance + ef-sized graph search) beside stock
/// FAISS 1.7.3 (its own distance and HNSW::search) on the same clustered 384-d vectors.
struct IndexBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "HNSW: build time, QPS (1 thread / all threads) and recall@10 per ef, ours vs stock FAISS.")

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

    @Option(help: "Passes over the queries when timing each ef.")
    var rounds = 3

    @Flag(help: "Skip the stock FAISS index (halves the run time).")
    var skipStock = false

    func run() throws {
        let parameters = HNSWParameters()
        let threads = ProcessInfo.processInfo.activeProcessorCount
        var clock = Date()
        let workload = IndexWorkload(
            count: count, queries: queries, dimension: dimension, clusters: clusters, spread: spread, seed: 42)
        print(
            "data: \(count) × \(dimension)-d normalised vectors around \(clusters) centres (spread \(spread)), "
                + "\(queries) queries, generated in \(seconds(Date().timeIntervalSince(clock)))")
        clock = Date()
        let truth = workload.exactTopK(10)
        print("exact top-10 by brute force in \(seconds(Date().timeIntervalSince(clock)))")
        print(
            "HNSW M \(parameters.m), efConstruction \(parameters.efConstruction), efSearchMax \(parameters.efSearchMax); "
                + "\(threads) cores; our kernel: \(HNSWIndex.distanceKernelName)")

        var implementations: [(String, HNSWIndex.Implementation)] = [("glimpse", .glimpse)]
        if !skipStock { implementations.append(("faiss 1.7.3 stock", .faissStock)) }
        var buildRows: [[String]] = []
        var searchRows: [[String]] = []
        for (name, implementation) in implementations {
            let index = try HNSWIndex(dimension: dimension, parameters: parameters, implementation: implementation)
            clock = Date()
            try index.add(ids: workload.ids, vectors: workload.vectors)
            let build = Date().timeIntervalSince(clock)
            buildRows.append([name, seconds(build), String(format: "%.0f vectors/s", Double(count) / build)])
            for ef in [16, 32, 64, 128] {
                let recall = try recallAt10(index, workload.queries, truth, ef: ef)
                let single = try singleThreadQPS(index, workload.queries, ef: ef)
                let parallel = try allThreadsQPS(index, workload.queries, ef: ef)
                searchRows.append([
                    name, "\(ef)", String(format: "%.4f", recall), String(format: "%.0f", single),
                    String(format: "%.0f", parallel),
                ])
            }
        }
        print("")
        printTable(header: ["build", "time", "rate"], rows: buildRows)
        print("")
        printTable(header: ["search", "ef", "recall@10", "QPS 1 thread", "QPS \(threads) threads"], rows: searchRows)
    }

    private func recallAt10(_ index: HNSWIndex, _ queries: [[Float]], _ truth: [[Int64]], ef: Int) throws -> Double {
        var found = 0
        for (query, exact) in zip(queries, truth) {
            found += Set(try index.search(query, k: 10, ef: ef, excluding: []).map(\.id)).intersection(exact).count
        }
        return Double(found) / Double(queries.count * 10)
    }

    private func singleThreadQPS(_ index: HNSWIndex, _ queries: [[Float]], ef: Int) throws -> Double {
        let start = Date()
        for _ in 0..<rounds {
            for query in queries { _ = try index.search(query, k: 10, ef: ef, excluding: []) }
        }
        return Double(rounds * queries.count) / Date().timeIntervalSince(start)
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

    private func printTable(header: [String], rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}
