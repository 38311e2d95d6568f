import ArgumentParser
import Foundation
import GlimpseIndex

/// The index's vector encodings side by side on one workload: build time, recall@10 against the float brute
/// force and single-thread QPS at the default ef, and the bytes of vector storage per vector.
enum IndexEncodings {
    static let header = ["vector encoding", "build", "recall@10", "QPS (1 thread)", "vector bytes", "× float32 bytes"]

    /// `float32Index` is the benchmark's main index (already built, in `float32BuildSeconds`); other encodings
    /// are built here from the same vectors with the same graph parameters.
    static func rows(
        encodings: [HNSWParameters.VectorEncoding], parameters: HNSWParameters, workload: IndexWorkload,
        float32Index: HNSWIndex, float32BuildSeconds: Double,
        recall: (HNSWIndex) throws -> Double, qps: (HNSWIndex) throws -> Double
    ) throws -> [[String]] {
        let floatBytes = Double(float32Index.vectorBytesPerVector)
        var rows: [[String]] = []
        // sq8 twice: ranges trained on the bulk add, and the [-1, 1] fallback a daemon gets when its first add
        // is a single item (until a rebuild retrains them).
        var variants: [(String, HNSWParameters.VectorEncoding, firstAdd: Int)] = []
        for encoding in encodings {
            variants.append((encoding.rawValue, encoding, workload.ids.count))
            if encoding == .sq8 { variants.append(("sq8, unit range (first add of 1)", .sq8, 1)) }
        }
        for (name, encoding, firstAdd) in variants {
            var index = float32Index
            var build = float32BuildSeconds
            if encoding != .float32 {
                var encoded = parameters
                encoded.vectorEncoding = encoding
                index = try HNSWIndex(dimension: workload.dimension, parameters: encoded)
                let clock = Date()
                let split = firstAdd * workload.dimension
                try index.add(ids: Array(workload.ids[..<firstAdd]), vectors: Array(workload.vectors[..<split]))
                if firstAdd < workload.ids.count {
                    try index.add(ids: Array(workload.ids[firstAdd...]), vectors: Array(workload.vectors[split...]))
                }
                build = Date().timeIntervalSince(clock)
            }
            let bytes = index.vectorBytesPerVector
            rows.append([
                name, String(format: "%.2f s", build), String(format: "%.4f", try recall(index)),
                String(format: "%.0f", try qps(index)), "\(bytes)", String(format: "%.2f×", Double(bytes) / floatBytes),
            ])
        }
        return rows
    }

    /// Parses `--encodings`.
    static func parse(_ list: String) throws -> [HNSWParameters.VectorEncoding] {
        try list.split(separator: ",").map { name in
            guard let encoding = HNSWParameters.VectorEncoding(rawValue: String(name)) else {
                throw ValidationError("unknown vector encoding \(name); use float32 or sq8")
            }
            return encoding
        }
    }
}
