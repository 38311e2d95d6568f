/// Turns a translation field such as `n.狗,犬,类似犬的动物,卑鄙的人vt.跟踪,尾随` into its Chinese glosses in order:
/// every run of Han characters outside brackets is one gloss. Part-of-speech tags, Latin abbreviations and
/// punctuation separate glosses; bracketed notes (`[动]`, `<俚>`, `(…)`) are dropped whole.
enum GlossParser {
    /// How many of `glosses(of:)` belong to the first part of speech (before a second tag such as `vt.`): the
    /// main sense group, where a word's usual translations are.
    static func mainSenseCount(of translation: String) -> Int {
        var tags = 0
        var letters = 0
        var depth = 0
        var prefix = String.UnicodeScalarView()
        for scalar in translation.unicodeScalars {
            switch scalar {
            case "[", "<", "(", "（": depth += 1
            case "]", ">", ")", "）": depth = max(0, depth - 1)
            default: break
            }
            if depth == 0, ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) {
                letters += 1
            } else {
                if scalar == ".", depth == 0, letters > 0, letters <= 4 {
                    tags += 1
                    if tags == 2 { return glosses(of: String(prefix)).count }
                }
                letters = 0
            }
            prefix.append(scalar)
        }
        return glosses(of: translation).count
    }

    static func glosses(of translation: String) -> [String] {
        var glosses: [String] = []
        var current = String.UnicodeScalarView()
        var depth = 0
        func flush() {
            if !current.isEmpty {
                let gloss = String(current)
                if !glosses.contains(gloss) { glosses.append(gloss) }
                current = String.UnicodeScalarView()
            }
        }
        for scalar in translation.unicodeScalars {
            switch scalar {
            case "[", "<", "(", "（", "【", "《":
                flush()
                depth += 1
            case "]", ">", ")", "）", "】", "》":
                flush()
                depth = max(0, depth - 1)
            default:
                if depth == 0, Script(scalar) == .han {
                    current.append(scalar)
                } else {
                    flush()
                }
            }
        }
        flush()
        return glosses
    }
}
