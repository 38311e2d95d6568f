import Foundation
import GlimpseCatalog
import GlimpseE5
import GlimpseEmbedding

/// Deterministic random numbers (SplitMix64): the same seed gives the same catalog on every machine, and item `i`
/// is the same item at every size, so the 20k catalog is a prefix of the 100k one.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A standard normal value (Box–Muller).
    mutating func gaussian() -> Float {
        let u = max(unit(), 1e-300)
        return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * unit()))
    }
}

/// The real words the synthetic catalog and the queries are made of: the 177 shared photos' labels (English and
/// Chinese, `labels.tsv`) and the eval set's hand-written captions (`Benchmarks/EvalSets/shared-photos.tsv`).
struct LoadVocabulary {
    struct Label {
        var en: String
        var zh: String
    }
    var labels: [Label]
    /// Hand-written captions by label index: (language, text).
    var realCaptions: [(label: Int, language: String, text: String)]

    /// Modifiers with the same meaning in both languages, so an item captioned in both says the same thing twice.
    static let adjectives: [(en: String, zh: String)] = [
        ("small", "小小的"), ("large", "大大的"), ("red", "红色的"), ("white", "白色的"), ("black", "黑色的"),
        ("brown", "棕色的"), ("old", "旧的"), ("colourful", "彩色的"),
    ]
    static let places: [(en: String, zh: String)] = [
        ("on the grass", "在草地上"), ("on a wooden table", "在木桌上"), ("in the street", "在街上"),
        ("at the beach", "在海滩上"), ("in a garden", "在花园里"), ("in the snow", "在雪地里"),
        ("next to a window", "在窗户旁边"), ("in the kitchen", "在厨房里"),
    ]

    static func load(labelsTSV: URL, evalSetTSV: URL) throws -> LoadVocabulary {
        var labels: [Label] = []
        var byEnglish: [String: Int] = [:]
        for line in Self.lines(try String(contentsOf: labelsTSV, encoding: .utf8)).dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3, !fields[1].isEmpty, !fields[2].isEmpty, byEnglish[fields[1]] == nil else {
                continue
            }
            byEnglish[fields[1]] = labels.count
            labels.append(Label(en: fields[1], zh: fields[2]))
        }
        var captions: [(Int, String, String)] = []
        for line in Self.lines(try String(contentsOf: evalSetTSV, encoding: .utf8)).dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 5, let label = byEnglish[fields[1]], ["zh", "en"].contains(fields[3]) else {
                continue
            }
            captions.append((label, fields[3], fields[4]))
        }
        guard labels.count >= 10 else { throw LoadBenchmarkError("too few labels in \(labelsTSV.path)") }
        return LoadVocabulary(labels: labels, realCaptions: captions)
    }

    /// Lines of a TSV file with LF or CRLF endings (labels.tsv has CRLF, which Swift treats as one Character).
    private static func lines(_ text: String) -> [Substring] {
        text.split(whereSeparator: \.isNewline)
    }

    /// Caption texts per label and language, built from templates over the labels and modifiers plus the real
    /// captions: `perLabel` templated captions per label and language, deterministic.
    func captionPool(perLabel: Int) -> [PoolCaption] {
        var pool: [PoolCaption] = realCaptions.map {
            PoolCaption(label: $0.label, language: $0.language, text: $0.text)
        }
        var random = SplitMix64(seed: 0x6C6F_6164)
        for (index, label) in labels.enumerated() {
            var seen: Set<String> = []
            var attempts = 0
            while seen.count < perLabel, attempts < perLabel * 20 {
                attempts += 1
                let adjective = Self.adjectives[Int(random.next() % UInt64(Self.adjectives.count))]
                let place = Self.places[Int(random.next() % UInt64(Self.places.count))]
                let template = Int(random.next() % 5)
                let en: String
                let zh: String
                switch template {
                case 0: (en, zh) = ("A photo of a \(label.en)", "一张\(label.zh)的照片")
                case 1:
                    (en, zh) = ("A \(adjective.en) \(label.en) \(place.en)", "一只\(adjective.zh)\(label.zh)\(place.zh)")
                case 2: (en, zh) = ("Close-up of a \(adjective.en) \(label.en)", "\(adjective.zh)\(label.zh)的特写")
                case 3: (en, zh) = ("A \(label.en) \(place.en)", "\(label.zh)\(place.zh)")
                default: (en, zh) = ("Picture of a \(label.en), taken \(place.en)", "\(place.zh)拍的\(label.zh)")
                }
                guard seen.insert(en).inserted else { continue }
                pool.append(PoolCaption(label: index, language: "en", text: en))
                pool.append(PoolCaption(label: index, language: "zh", text: zh))
            }
        }
        return pool
    }

    /// Real query words and short phrases, zh and en alternating, in a fixed shuffled order, all distinct: each
    /// label alone, with each adjective, in each place, and with both (81 texts per label and language, about 24,000
    /// for the shared photos' labels), so a run of a few thousand requests never repeats a text and the daemon's
    /// query-vector cache cannot flatter the latency.
    func queries() -> [String] {
        var en: [String] = []
        var zh: [String] = []
        for label in labels {
            en.append(label.en)
            zh.append(label.zh)
            for adjective in Self.adjectives {
                en.append("\(adjective.en) \(label.en)")
                zh.append("\(adjective.zh)\(label.zh)")
            }
            for place in Self.places {
                en.append("\(label.en) \(place.en)")
                zh.append("\(place.zh)的\(label.zh)")
                for adjective in Self.adjectives {
                    en.append("\(adjective.en) \(label.en) \(place.en)")
                    zh.append("\(place.zh)的\(adjective.zh)\(label.zh)")
                }
            }
        }
        var seen: Set<String> = []
        en = en.filter { seen.insert($0).inserted }
        zh = zh.filter { seen.insert($0).inserted }
        var random = SplitMix64(seed: 0x7175_6572)
        en.shuffle(using: &random)
        zh.shuffle(using: &random)
        return zip(zh, en).flatMap { [$0, $1] }
    }
}

struct PoolCaption: Hashable {
    var label: Int
    var language: String
    var text: String
}

/// The caption pool with real E5 passage embeddings, cached on disk by the texts and the model file's size, since
/// embedding a few thousand captions takes a minute on two cores.
struct EmbeddedCaptionPool {
    var captions: [PoolCaption]
    var vectors: [[Float]]
    var dimension: Int
    /// Pool indices by label, then language.
    var byLabel: [[String: [Int]]]
    /// Pool indices by language.
    var byLanguage: [String: [Int]]

    static func build(
        vocabulary: LoadVocabulary, perLabel: Int, modelPath: String, cacheDirectory: URL, log: (String) -> Void
    ) throws -> EmbeddedCaptionPool {
        let captions = vocabulary.captionPool(perLabel: perLabel)
        let modelSize = (try? FileManager.default.attributesOfItem(atPath: modelPath)[.size] as? Int) ?? 0
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let key = captions.map { "\($0.language)\t\($0.text)\n" }.joined() + "\(modelSize)"
        for byte in key.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let cacheURL = cacheDirectory.appendingPathComponent(String(format: "caption-pool-%016llx.f32", hash))
        let embedder = try E5TextEmbedder(modelPath: modelPath)
        let dimension = embedder.dimension
        var vectors: [[Float]]
        if let data = try? Data(contentsOf: cacheURL), data.count == captions.count * dimension * 4 {
            let flat = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            vectors = (0..<captions.count).map { Array(flat[$0 * dimension..<($0 + 1) * dimension]) }
            log("caption pool: \(captions.count) captions, E5 vectors from \(cacheURL.path)")
        } else {
            log("caption pool: embedding \(captions.count) real captions with E5 (cached afterwards)…")
            let started = Date()
            vectors = []
            for start in stride(from: 0, to: captions.count, by: 32) {
                let batch = captions[start..<min(start + 32, captions.count)].map(\.text)
                vectors += try embedder.embed(batch, role: .passage)
            }
            log(String(format: "caption pool embedded in %.1f s", Date().timeIntervalSince(started)))
            try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
            let flat = vectors.flatMap { $0 }
            try flat.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: cacheURL, options: .atomic)
        }
        var byLabel = Array(repeating: [String: [Int]](), count: vocabulary.labels.count)
        var byLanguage: [String: [Int]] = [:]
        for (index, caption) in captions.enumerated() {
            byLabel[caption.label][caption.language, default: []].append(index)
            byLanguage[caption.language, default: []].append(index)
        }
        return EmbeddedCaptionPool(
            captions: captions, vectors: vectors, dimension: dimension, byLabel: byLabel, byLanguage: byLanguage)
    }
}

/// Writes N synthetic items into a catalog. Each item has one of the 177 labels and captions in zh only (35%),
/// en only (35%), both (20%) or none (10%, image-only: an E5-only daemon stores no vector for it). Each caption is
/// a pool caption, and its vector is that caption's real E5 embedding mixed with another caption of the same
/// language (weight 0–0.3) plus Gaussian noise (norm about 0.3), then L2-normalised: vectors lie where real E5
/// caption vectors lie, without claiming anything about search quality.
struct SyntheticCatalog {
    enum Writer: String, CaseIterable { case bulk, upsert }

    struct Summary {
        var items: Int
        var vectors: Int
        var captionsByMix: [String: Int]
        var seconds: Double
    }

    let pool: EmbeddedCaptionPool
    let space: String
    var noiseNorm: Float = 0.3
    var maxMixWeight: Float = 0.3

    /// The item at position `index`: always the same for the same index.
    func item(_ index: Int) -> (item: NewItem, vectors: [NewVector], mix: String) {
        var random = SplitMix64(seed: 0x5EED_0000 &+ UInt64(index) &* 0x9E37_79B9)
        let label = Int(random.next() % UInt64(pool.byLabel.count))
        let draw = random.unit()
        let languages: [String]
        let mix: String
        switch draw {
        case ..<0.35: (languages, mix) = (["zh"], "zh")
        case ..<0.70: (languages, mix) = (["en"], "en")
        case ..<0.90: (languages, mix) = (["zh", "en"], "both")
        default: (languages, mix) = ([], "none")
        }
        var captions: [String: String] = [:]
        var vectors: [NewVector] = []
        for language in languages {
            let own = pool.byLabel[label][language] ?? pool.byLanguage[language] ?? []
            guard !own.isEmpty, let others = pool.byLanguage[language] else { continue }
            let chosen = own[Int(random.next() % UInt64(own.count))]
            let other = others[Int(random.next() % UInt64(others.count))]
            captions[language] = pool.captions[chosen].text
            vectors.append(
                NewVector(
                    space: space, source: .caption, captionLanguage: language,
                    vector: mixture(pool.vectors[chosen], pool.vectors[other], random: &random)))
        }
        let item = NewItem(
            externalID: "synthetic-\(index)", imagePath: "/synthetic/label-\(label)/\(index).jpg",
            contentHash: "synthetic-\(index)", captions: captions)
        return (item, vectors, mix)
    }

    private func mixture(_ base: [Float], _ other: [Float], random: inout SplitMix64) -> [Float] {
        let weight = Float(random.unit()) * maxMixWeight
        let sigma = noiseNorm / Float(base.count).squareRoot()
        var vector = (0..<base.count).map { base[$0] + weight * other[$0] + sigma * random.gaussian() }
        VectorMath.normalise(&vector)
        return vector
    }

    /// Writes items 0..<count into `catalog` in transactions of `batchSize` items and appends every vector, in
    /// catalog id order, to `vectorsFile` as raw float32 (the peer's copy of the same vectors).
    func write(
        count: Int, into catalog: Catalog, writer: Writer, vectorsFile: URL, batchSize: Int = 5_000,
        log: (String) -> Void
    ) throws -> Summary {
        _ = FileManager.default.createFile(atPath: vectorsFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: vectorsFile)
        defer { try? output.close() }
        let started = Date()
        var summary = Summary(items: 0, vectors: 0, captionsByMix: [:], seconds: 0)
        var next = 0
        while next < count {
            let batch = (next..<min(next + batchSize, count)).map { item($0) }
            switch writer {
            case .bulk:
                try catalog.bulkInsertNewItems(batch.map { (item: $0.item, vectors: $0.vectors) })
            case .upsert:
                for entry in batch { _ = try catalog.upsertItem(entry.item, vectors: entry.vectors) }
            }
            var flat: [Float] = []
            flat.reserveCapacity(batch.count * 2 * pool.dimension)
            for entry in batch {
                for vector in entry.vectors { flat += vector.vector }
                summary.captionsByMix[entry.mix, default: 0] += 1
                summary.vectors += entry.vectors.count
            }
            try output.write(contentsOf: flat.withUnsafeBufferPointer { Data(buffer: $0) })
            next += batch.count
            summary.items = next
            if next % 100_000 == 0 || next == count {
                log(
                    String(
                        format: "  catalog: %d/%d items (%@ writer), %.1f s", next, count, writer.rawValue,
                        Date().timeIntervalSince(started)))
            }
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }
}

struct LoadBenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
