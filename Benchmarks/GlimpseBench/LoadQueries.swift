/// The load benchmark's query texts: what people type into an image search, in both languages, every text distinct
/// (so no request is answered from the daemon's query-vector cache).
///
/// Mix, in every block of eight consecutive queries (so each client level and round sees the same mix): one label
/// word (dog, 狗), three adjective + label phrases (red dog, 红色的狗), two label + place phrases (dog on the
/// grass, 在草地上的狗) and two adjective + label + place phrases; Chinese and English alternate. Once a kind runs out
/// (there are 83 labels, so 166 words), the blocks go on without it: the first 1,300 queries keep the mix exactly.
extension LoadVocabulary {
    static let queryMix: [(kind: QueryKind, count: Int)] = [
        (.word, 1), (.adjectiveWord, 3), (.wordPlace, 2), (.adjectiveWordPlace, 2),
    ]

    enum QueryKind: CaseIterable {
        case word, adjectiveWord, wordPlace, adjectiveWordPlace
    }

    /// Distinct query texts by `queryMix`, zh and en alternating.
    func mixedQueries() -> [String] {
        var byKind: [QueryKind: [String]] = [:]
        for kind in QueryKind.allCases {
            var en: [String] = []
            var zh: [String] = []
            for label in labels {
                switch kind {
                case .word:
                    en.append(label.en)
                    zh.append(label.zh)
                case .adjectiveWord:
                    for adjective in Self.adjectives {
                        en.append("\(adjective.en) \(label.en)")
                        zh.append("\(adjective.zh)\(label.zh)")
                    }
                case .wordPlace:
                    for place in Self.places {
                        en.append("\(label.en) \(place.en)")
                        zh.append("\(place.zh)的\(label.zh)")
                    }
                case .adjectiveWordPlace:
                    for place in Self.places {
                        for adjective in Self.adjectives {
                            en.append("\(adjective.en) \(label.en) \(place.en)")
                            zh.append("\(place.zh)的\(adjective.zh)\(label.zh)")
                        }
                    }
                }
            }
            var random = SplitMix64(seed: 0x7175_6572 &+ UInt64(byKind.count))
            en.shuffle(using: &random)
            zh.shuffle(using: &random)
            byKind[kind] = zip(zh, en).flatMap { [$0, $1] }
        }
        var seen: Set<String> = []
        var cursor: [QueryKind: Int] = [:]
        var queries: [String] = []
        while true {
            var added = false
            for (kind, count) in Self.queryMix {
                let texts = byKind[kind]!
                for _ in 0..<count {
                    // Skip a text another kind already produced.
                    var index = cursor[kind, default: 0]
                    while index < texts.count, seen.contains(texts[index]) { index += 1 }
                    cursor[kind] = index
                    guard index < texts.count else { break }
                    seen.insert(texts[index])
                    queries.append(texts[index])
                    cursor[kind] = index + 1
                    added = true
                }
            }
            if !added { return queries }
        }
    }
}
