import GlimpseE5
import GlimpseEmbedding
import GlimpseEvaluation

/// Per-language centring, measured outside the service: subtract each language's mean caption vector (the only
/// language statistics a catalog has) from caption and query vectors and rank by exact cosine. Printed beside the
/// same exact ranking without centring, so the effect is measured, not assumed.
struct CentringExperiment {
    let embedder: E5TextEmbedder
    let photos: [EvalPhoto]

    func rows() throws -> [[String]] {
        let captionVectors = try embedder.embed(photos.map(\.caption), role: .passage)
        var means: [String: [Float]] = [:]
        for language in ["zh", "en"] {
            let vectors = zip(photos, captionVectors).filter { $0.0.captionLanguage == language }.map(\.1)
            means[language] = mean(vectors)
        }
        let labels = LabelQueries.make(from: photos)
        let chineseQueries = try embedder.embed(labels.map(\.chinese), role: .query)
        let englishQueries = try embedder.embed(labels.map(\.english), role: .query)
        var rows: [[String]] = []
        for centred in [false, true] {
            let items = zip(photos, captionVectors).map { photo, vector in
                (
                    id: photo.path,
                    vector: centred ? VectorMath.normalised(subtract(vector, means[photo.captionLanguage]!)) : vector
                )
            }
            func rank(_ query: [Float], _ language: String) -> [String] {
                let q = centred ? VectorMath.normalised(subtract(query, means[language]!)) : query
                return items.map { ($0.id, VectorMath.dot(q, $0.vector)) }.sorted { $0.1 > $1.1 }.prefix(30).map(\.0)
            }
            var report = LanguagePairReport()
            for (index, label) in labels.enumerated() {
                report.add(
                    label: label, chineseRanking: rank(chineseQueries[index], "zh"),
                    englishRanking: rank(englishQueries[index], "en"))
            }
            rows += report.rows(alignment: centred ? "centred (exact)" : "plain (exact)")
        }
        return rows
    }

    private func mean(_ vectors: [[Float]]) -> [Float] {
        var sum = [Float](repeating: 0, count: vectors.first?.count ?? 0)
        for vector in vectors { for i in sum.indices { sum[i] += vector[i] } }
        return sum.map { $0 / Float(max(1, vectors.count)) }
    }

    private func subtract(_ a: [Float], _ b: [Float]) -> [Float] { zip(a, b).map { $0 - $1 } }
}
