import Foundation

/// Loads the text tokenizer of a Hugging Face model folder: CLIP's byte-level BPE (vocab.json + merges.txt) or
/// BERT's WordPiece (vocab.txt), chosen by tokenizer_config.json's `tokenizer_class` or else by which files exist,
/// with that file's settings (model_max_length, do_lower_case, strip_accents, tokenize_chinese_chars, special
/// token spellings).
public enum HuggingFaceTokenizer {
    public enum Kind: Sendable, Equatable {
        case byteLevelBPE
        case wordPiece
    }

    /// Used when tokenizer_config.json gives no usable model_max_length (CLIP's context; BERT's positions).
    public static let defaultCLIPLength = 77
    public static let defaultBERTLength = 512

    public static func load(folder: URL) throws(TokenizerLoadingError) -> any TextTokenizer {
        let configuration = try TokenizerConfiguration(folder: folder)
        switch try kind(of: folder, configuration: configuration) {
        case .byteLevelBPE: return try loadByteLevelBPE(folder: folder, configuration: configuration)
        case .wordPiece: return try loadWordPiece(folder: folder, configuration: configuration)
        }
    }

    public static func kind(of folder: URL) throws(TokenizerLoadingError) -> Kind {
        try kind(of: folder, configuration: TokenizerConfiguration(folder: folder))
    }

    public static func loadByteLevelBPE(folder: URL) throws(TokenizerLoadingError) -> ByteLevelBPETokenizer {
        try loadByteLevelBPE(folder: folder, configuration: TokenizerConfiguration(folder: folder))
    }

    public static func loadWordPiece(folder: URL) throws(TokenizerLoadingError) -> WordPieceTokenizer {
        try loadWordPiece(folder: folder, configuration: TokenizerConfiguration(folder: folder))
    }

    private static func kind(of folder: URL, configuration: TokenizerConfiguration) throws(TokenizerLoadingError)
        -> Kind
    {
        if let name = configuration.tokenizerClass {
            switch name {
            case "CLIPTokenizer", "CLIPTokenizerFast": return .byteLevelBPE
            case "BertTokenizer", "BertTokenizerFast": return .wordPiece
            default: throw .unsupportedTokenizerClass(name: name, path: configuration.path)
            }
        }
        let exists = { (name: String) in
            FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path)
        }
        if exists("vocab.json") || exists("merges.txt") { return .byteLevelBPE }
        if exists("vocab.txt") { return .wordPiece }
        throw .noTokenizerFiles(folder: folder.path)
    }

    private static func loadByteLevelBPE(
        folder: URL, configuration: TokenizerConfiguration
    ) throws(TokenizerLoadingError) -> ByteLevelBPETokenizer {
        let vocabularyURL = folder.appendingPathComponent("vocab.json")
        let mergesURL = folder.appendingPathComponent("merges.txt")
        let vocabulary = try readJSONVocabulary(vocabularyURL)
        let merges = try readMerges(mergesURL)
        let start = configuration.startToken ?? "<|startoftext|>"
        let end = configuration.endToken ?? "<|endoftext|>"
        let unknown = configuration.unknownToken ?? "<|endoftext|>"
        let padding = configuration.paddingToken ?? "<|endoftext|>"
        do {
            return try ByteLevelBPETokenizer(
                vocabulary: vocabulary, merges: merges.pairs,
                maximumLength: configuration.modelMaximumLength ?? defaultCLIPLength,
                startOfText: start, endOfText: end, unknown: unknown,
                specialTokens: [start, end, unknown, padding] + configuration.addedSpecialTokens,
                source: vocabularyURL.path)
        } catch {
            // A merge naming a token the vocabulary lacks is the merges file's fault: report its real line.
            if case .malformedMerges(_, let index, let problem) = error {
                throw .malformedMerges(path: mergesURL.path, line: merges.lineNumbers[index - 1], problem: problem)
            }
            throw error
        }
    }

    private static func loadWordPiece(
        folder: URL, configuration: TokenizerConfiguration
    ) throws(TokenizerLoadingError) -> WordPieceTokenizer {
        let vocabularyURL = folder.appendingPathComponent("vocab.txt")
        let text = try readText(vocabularyURL)
        // Python's text mode reads "\r\n" and "\r" as line ends; a final line end does not start another token.
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { throw .malformedVocabulary(path: vocabularyURL.path, problem: "it is empty") }
        return try WordPieceTokenizer(
            vocabulary: lines,
            lowercase: configuration.lowercase ?? true,
            stripAccents: configuration.stripAccents,
            splitChineseCharacters: configuration.splitChineseCharacters ?? true,
            maximumLength: configuration.modelMaximumLength ?? defaultBERTLength,
            unknown: configuration.unknownToken ?? "[UNK]",
            classifier: configuration.classifierToken ?? "[CLS]",
            separator: configuration.separatorToken ?? "[SEP]",
            padding: configuration.paddingToken ?? "[PAD]",
            mask: configuration.maskToken ?? "[MASK]",
            source: vocabularyURL.path)
    }

    private static func readData(_ url: URL) throws(TokenizerLoadingError) -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else { throw .fileMissing(path: url.path) }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: "\(error)")
        }
    }

    private static func readText(_ url: URL) throws(TokenizerLoadingError) -> String {
        let data = try readData(url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: url.path, reason: "not valid UTF-8")
        }
        return text
    }

    private static func readJSONVocabulary(_ url: URL) throws(TokenizerLoadingError) -> [String: Int] {
        let data = try readData(url)
        let vocabulary: [String: Int]
        do {
            vocabulary = try JSONDecoder().decode([String: Int].self, from: data)
        } catch let error as DecodingError {
            throw .malformedVocabulary(
                path: url.path,
                problem: "expected a JSON object of token → integer id; "
                    + TokenizerConfiguration.explain(error))
        } catch {
            throw .unreadable(path: url.path, reason: "\(error)")
        }
        guard !vocabulary.isEmpty else { throw .malformedVocabulary(path: url.path, problem: "it is empty") }
        return vocabulary
    }

    /// The merge pairs in rank order, and the file line each came from.
    private static func readMerges(_ url: URL) throws(TokenizerLoadingError) -> (
        pairs: [(String, String)], lineNumbers: [Int]
    ) {
        let text = try readText(url)
        var pairs: [(String, String)] = []
        var lineNumbers: [Int] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.isEmpty || (index == 0 && line.hasPrefix("#version")) { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .malformedMerges(
                    path: url.path, line: index + 1,
                    problem: "expected two tokens separated by one space, found \(String(line).debugDescription)")
            }
            pairs.append((String(parts[0]), String(parts[1])))
            lineNumbers.append(index + 1)
        }
        guard !pairs.isEmpty else { throw .malformedMerges(path: url.path, line: 1, problem: "the file has no merges") }
        return (pairs, lineNumbers)
    }
}

/// The settings of tokenizer_config.json that decide how text is tokenized (all optional).
package struct TokenizerConfiguration {
    package let path: String
    private let file: File

    private struct File: Decodable {
        var tokenizer_class: String?
        var model_max_length: Double?
        var do_lower_case: Bool?
        var strip_accents: Bool?
        var tokenize_chinese_chars: Bool?
        var bos_token: Spelling?
        var eos_token: Spelling?
        var unk_token: Spelling?
        var pad_token: Spelling?
        var cls_token: Spelling?
        var sep_token: Spelling?
        var mask_token: Spelling?
        var added_tokens_decoder: [String: AddedToken]?
    }

    /// A special token written either as a string or as an AddedToken object {"content": …}.
    private struct Spelling: Decodable {
        let content: String

        private enum Keys: String, CodingKey { case content }

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                content = text
            } else {
                content = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .content)
            }
        }
    }

    private struct AddedToken: Decodable {
        var content: String
        var special: Bool?
    }

    package init(folder: URL) throws(TokenizerLoadingError) {
        let url = folder.appendingPathComponent("tokenizer_config.json")
        path = url.path
        guard FileManager.default.fileExists(atPath: url.path) else {
            file = File()
            return
        }
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw .malformedConfiguration(path: url.path, problem: Self.explain(error))
        } catch {
            throw .unreadable(path: url.path, reason: "\(error)")
        }
    }

    package var tokenizerClass: String? { file.tokenizer_class }

    /// model_max_length when it is a real limit; `transformers` writes a huge number (int(1e30)) for "none".
    package var modelMaximumLength: Int? {
        guard let value = file.model_max_length, value >= 2, value < 1_000_000 else { return nil }
        return Int(value)
    }

    package var lowercase: Bool? { file.do_lower_case }
    package var stripAccents: Bool? { file.strip_accents }
    package var splitChineseCharacters: Bool? { file.tokenize_chinese_chars }

    package var startToken: String? { file.bos_token?.content }
    package var endToken: String? { file.eos_token?.content }
    package var unknownToken: String? { file.unk_token?.content }
    package var paddingToken: String? { file.pad_token?.content }
    package var classifierToken: String? { file.cls_token?.content }
    package var separatorToken: String? { file.sep_token?.content }
    package var maskToken: String? { file.mask_token?.content }

    /// Spellings of the tokens `added_tokens_decoder` marks special (matched whole in the text like the others).
    package var addedSpecialTokens: [String] {
        (file.added_tokens_decoder ?? [:]).values.filter { $0.special == true }.map(\.content).sorted()
    }

    /// "model_max_length: expected Double, found a string" rather than DecodingError's debug dump.
    package static func explain(_ error: DecodingError) -> String {
        func where_(_ path: [any CodingKey]) -> String {
            path.isEmpty
                ? "the file" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "\(where_(context.codingPath)): expected \(type) (\(context.debugDescription))"
        case .keyNotFound(let key, let context):
            return "\(where_(context.codingPath)): missing \(key.stringValue)"
        case .dataCorrupted(let context):
            return
                "\(where_(context.codingPath)): \(context.debugDescription) \(context.underlyingError.map { "(\($0))" } ?? "")"
        @unknown default:
            return "\(error)"
        }
    }
}
