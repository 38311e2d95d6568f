import Foundation
import GlimpseTestSupport
import Testing

@testable import GlimpseTokenizers

/// The tiny CLIP and Chinese-CLIP tokenizer folders of the shared CLIP fixtures, and the token ids `transformers`
/// gave for the fixture texts.
enum TokenizerFixtures {
    static let clipFolder = CLIPFixtures.clipFolder
    static let chineseCLIPFolder = CLIPFixtures.chineseCLIPFolder

    static func reference() throws -> CLIPFixtures.Reference { try CLIPFixtures.reference.get() }

    static func clip() throws -> ByteLevelBPETokenizer { try HuggingFaceTokenizer.loadByteLevelBPE(folder: clipFolder) }
    static func chineseCLIP() throws -> WordPieceTokenizer {
        try HuggingFaceTokenizer.loadWordPiece(folder: chineseCLIPFolder)
    }

    /// Token → id read straight from a folder's vocab.json or vocab.txt, to state expectations in tokens.
    static func clipVocabulary() throws -> [String: Int] {
        try JSONDecoder().decode(
            [String: Int].self, from: Data(contentsOf: clipFolder.appendingPathComponent("vocab.json")))
    }

    static func chineseCLIPVocabulary() throws -> [String: Int] {
        let text = try String(contentsOf: chineseCLIPFolder.appendingPathComponent("vocab.txt"), encoding: .utf8)
        var vocabulary: [String: Int] = [:]
        for (id, token) in text.split(separator: "\n").enumerated() { vocabulary[String(token)] = id }
        return vocabulary
    }

    /// Expects `tokenize` to give `transformers`' ids for every one of the 48 fixture texts, listing the texts that differ.
    static func expectAgreement(
        _ family: CLIPFixtures.Family, _ tokenize: (String) -> [Int], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(family.texts.count == 48, sourceLocation: sourceLocation)
        let result = mismatches(family, tokenize)
        #expect(
            result.agreeing == family.texts.count,
            "\(result.agreeing)/\(family.texts.count) texts agree; mismatches:\n\(result.report)",
            sourceLocation: sourceLocation)
    }

    /// Expects `cut` to be `full` cut to `length` ids with the end token `end` kept last.
    static func expectTruncated(
        _ cut: [Int], from full: [Int], to length: Int, endingWith end: Int?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(full.count > length, sourceLocation: sourceLocation)
        #expect(cut.count == length, sourceLocation: sourceLocation)
        #expect(cut.last == end, sourceLocation: sourceLocation)
        #expect(Array(cut.dropLast()) == Array(full.prefix(length - 1)), sourceLocation: sourceLocation)
    }

    /// Failure message listing every text whose ids differ from the reference.
    static func mismatches(_ family: CLIPFixtures.Family, _ tokenize: (String) -> [Int]) -> (
        agreeing: Int, report: String
    ) {
        var report: [String] = []
        for (text, expected) in zip(family.texts, family.tokenIDs) {
            let actual = tokenize(text)
            if actual != expected {
                report.append("\(text.debugDescription)\n  expected \(expected)\n  actual   \(actual)")
            }
        }
        return (family.texts.count - report.count, report.joined(separator: "\n"))
    }
}

/// A throw-away tokenizer folder with the given files.
struct TemporaryTokenizerFolder {
    let url: URL

    init(_ files: [String: String]) throws {
        url = try ScratchDirectory("tokenizer").url
        for (name, contents) in files { try Data(contents.utf8).write(to: url.appendingPathComponent(name)) }
    }

    /// The fixture folder's files, with some replaced (nil removes the file).
    static func copy(of folder: URL, replacing replacements: [String: String?]) throws -> TemporaryTokenizerFolder {
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path)
        where ["vocab.json", "merges.txt", "vocab.txt", "tokenizer_config.json"].contains(name) {
            files[name] = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        }
        for (name, contents) in replacements { files[name] = contents }
        return try TemporaryTokenizerFolder(files)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

@Suite struct HuggingFaceTokenizerTests {
    @Test func loaderPicksByteLevelBPEForCLIPAndWordPieceForChineseCLIP() throws {
        #expect(try HuggingFaceTokenizer.load(folder: TokenizerFixtures.clipFolder) is ByteLevelBPETokenizer)
        #expect(try HuggingFaceTokenizer.load(folder: TokenizerFixtures.chineseCLIPFolder) is WordPieceTokenizer)
    }

    @Test func loaderReadsModelMaximumLengthFromTheConfiguration() throws {
        #expect(try HuggingFaceTokenizer.load(folder: TokenizerFixtures.clipFolder).maximumLength == 77)
        #expect(try HuggingFaceTokenizer.load(folder: TokenizerFixtures.chineseCLIPFolder).maximumLength == 52)
    }

    @Test func loadedTokenizerGivesTheSameIDsAsTheConcreteType() throws {
        let loaded = try HuggingFaceTokenizer.load(folder: TokenizerFixtures.chineseCLIPFolder)
        let direct = try TokenizerFixtures.chineseCLIP()
        #expect(loaded.tokenIDs("一只棕色的小狗 a brown dog") == direct.tokenIDs("一只棕色的小狗 a brown dog"))
    }

    @Test func specialTokensNamedInTheConfigurationAreMatchedWhole() throws {
        // Some CLIP checkpoints pad with "!": transformers then cuts "!" out of the text as that special token.
        let folder = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.clipFolder,
            replacing: [
                "tokenizer_config.json":
                    #"{"tokenizer_class": "CLIPTokenizer", "pad_token": {"content": "!", "special": true}}"#
            ])
        defer { folder.remove() }
        let vocabulary = try TokenizerFixtures.clipVocabulary()
        let tokenizer = try HuggingFaceTokenizer.load(folder: folder.url)
        #expect(
            tokenizer.tokenIDs("dog!") == [
                vocabulary["<|startoftext|>"]!, vocabulary["dog</w>"]!, vocabulary["!"]!,
                vocabulary["<|endoftext|>"]!,
            ])
        #expect((try TokenizerFixtures.clip()).tokenIDs("dog!")[2] == vocabulary["!</w>"]!)
    }

    @Test func withoutConfigurationTheFilesPresentDecideTheKind() throws {
        let clip = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.clipFolder, replacing: ["tokenizer_config.json": nil])
        defer { clip.remove() }
        let bert = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.chineseCLIPFolder, replacing: ["tokenizer_config.json": nil])
        defer { bert.remove() }
        let bpe = try HuggingFaceTokenizer.load(folder: clip.url)
        #expect(bpe is ByteLevelBPETokenizer)
        #expect(bpe.maximumLength == HuggingFaceTokenizer.defaultCLIPLength)
        let wordPiece = try HuggingFaceTokenizer.load(folder: bert.url)
        #expect(wordPiece is WordPieceTokenizer)
        #expect(wordPiece.maximumLength == HuggingFaceTokenizer.defaultBERTLength)
    }

    @Test func hugeModelMaximumLengthMeansTheDefault() throws {
        let folder = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.clipFolder,
            replacing: [
                "tokenizer_config.json":
                    #"{"tokenizer_class": "CLIPTokenizer", "model_max_length": 1000000000000000019884624838656}"#
            ])
        defer { folder.remove() }
        #expect(try HuggingFaceTokenizer.load(folder: folder.url).maximumLength == 77)
    }

    @Test func folderWithoutTokenizerFilesIsAnError() throws {
        let folder = try TemporaryTokenizerFolder(["config.json": "{}"])
        defer { folder.remove() }
        #expect(throws: TokenizerLoadingError.noTokenizerFiles(folder: folder.url.path)) {
            try HuggingFaceTokenizer.load(folder: folder.url)
        }
    }

    @Test func unsupportedTokenizerClassIsNamedInTheError() throws {
        let folder = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.chineseCLIPFolder,
            replacing: [
                "tokenizer_config.json": #"{"tokenizer_class": "XLMRobertaTokenizer"}"#
            ])
        defer { folder.remove() }
        let path = folder.url.appendingPathComponent("tokenizer_config.json").path
        #expect(throws: TokenizerLoadingError.unsupportedTokenizerClass(name: "XLMRobertaTokenizer", path: path)) {
            try HuggingFaceTokenizer.load(folder: folder.url)
        }
    }

    @Test func missingMergesFileIsNamed() throws {
        let folder = try TemporaryTokenizerFolder.copy(of: TokenizerFixtures.clipFolder, replacing: ["merges.txt": nil])
        defer { folder.remove() }
        #expect(throws: TokenizerLoadingError.fileMissing(path: folder.url.appendingPathComponent("merges.txt").path)) {
            try HuggingFaceTokenizer.load(folder: folder.url)
        }
    }

    @Test func missingVocabularyFileIsNamed() throws {
        let folder = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.chineseCLIPFolder, replacing: ["vocab.txt": nil])
        defer { folder.remove() }
        #expect(throws: TokenizerLoadingError.fileMissing(path: folder.url.appendingPathComponent("vocab.txt").path)) {
            try HuggingFaceTokenizer.load(folder: folder.url)
        }
    }

    @Test(arguments: [
        ("not json at all", "not valid JSON"),
        (#"["a", "b"]"#, "expected a JSON object"),
        (#"{"a": "zero"}"#, "integer id"),
        (#"{"a": 1.5}"#, "integer id"),
        ("{}", "empty"),
    ])
    func malformedVocabularyJSONIsAnErrorNamingTheFile(contents: String, _: String) throws {
        let folder = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.clipFolder, replacing: ["vocab.json": contents])
        defer { folder.remove() }
        let error = try #require(throws: TokenizerLoadingError.self) {
            try HuggingFaceTokenizer.load(folder: folder.url)
        }
        guard case .malformedVocabulary(let path, _) = error else {
            Issue.record("expected malformedVocabulary, got \(error)")
            return
        }
        #expect(path == folder.url.appendingPathComponent("vocab.json").path)
        #expect(error.description.contains("vocab.json"))
    }

    @Test func mergeLineWithoutTwoTokensIsReportedWithItsLineNumber() throws {
        let folder = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.clipFolder,
            replacing: [
                "merges.txt": "#version: 0.2\no f</w>\nthree tokens here\n"
            ])
        defer { folder.remove() }
        let error = try #require(throws: TokenizerLoadingError.self) {
            try HuggingFaceTokenizer.load(folder: folder.url)
        }
        guard case .malformedMerges(let path, let line, _) = error else {
            Issue.record("expected malformedMerges, got \(error)")
            return
        }
        #expect(path.hasSuffix("merges.txt"))
        #expect(line == 3)
    }

    @Test func mergeOfTokensOutsideTheVocabularyIsReportedWithItsLineNumber() throws {
        let folder = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.clipFolder,
            replacing: [
                "merges.txt": "#version: 0.2\no f</w>\nq z\n"
            ])
        defer { folder.remove() }
        let error = try #require(throws: TokenizerLoadingError.self) {
            try HuggingFaceTokenizer.load(folder: folder.url)
        }
        guard case .malformedMerges(let path, let line, let problem) = error else {
            Issue.record("expected malformedMerges, got \(error)")
            return
        }
        #expect(path.hasSuffix("merges.txt"))
        #expect(line == 3)
        #expect(problem.contains("qz"))
    }

    @Test func mergesFileWithoutMergesIsAnError() throws {
        let folder = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.clipFolder, replacing: ["merges.txt": "#version: 0.2\n"])
        defer { folder.remove() }
        let error = try #require(throws: TokenizerLoadingError.self) {
            try HuggingFaceTokenizer.load(folder: folder.url)
        }
        guard case .malformedMerges = error else {
            Issue.record("expected malformedMerges, got \(error)")
            return
        }
    }

    @Test func vocabularyWithoutEndOfTextTokenIsAnError() throws {
        let folder = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.clipFolder,
            replacing: [
                "vocab.json": #"{"<|startoftext|>": 0, "a": 1, "a</w>": 2, "aa</w>": 3}"#,
                "merges.txt": "#version: 0.2\na a</w>\n",
            ])
        defer { folder.remove() }
        #expect(
            throws: TokenizerLoadingError.missingSpecialToken(
                token: "<|endoftext|>", path: folder.url.appendingPathComponent("vocab.json").path)
        ) {
            try HuggingFaceTokenizer.load(folder: folder.url)
        }
    }

    @Test func wordPieceVocabularyWithoutUnknownTokenIsAnError() throws {
        let folder = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.chineseCLIPFolder,
            replacing: [
                "vocab.txt": "[PAD]\n[CLS]\n[SEP]\na\n"
            ])
        defer { folder.remove() }
        #expect(
            throws: TokenizerLoadingError.missingSpecialToken(
                token: "[UNK]", path: folder.url.appendingPathComponent("vocab.txt").path)
        ) {
            try HuggingFaceTokenizer.load(folder: folder.url)
        }
    }

    @Test func emptyWordPieceVocabularyIsAnError() throws {
        let folder = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.chineseCLIPFolder, replacing: ["vocab.txt": ""])
        defer { folder.remove() }
        let error = try #require(throws: TokenizerLoadingError.self) {
            try HuggingFaceTokenizer.load(folder: folder.url)
        }
        guard case .malformedVocabulary = error else {
            Issue.record("expected malformedVocabulary, got \(error)")
            return
        }
    }

    @Test func configurationWithWrongValueTypesIsAnError() throws {
        let folder = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.chineseCLIPFolder,
            replacing: [
                "tokenizer_config.json": #"{"tokenizer_class": "BertTokenizer", "do_lower_case": "yes"}"#
            ])
        defer { folder.remove() }
        let error = try #require(throws: TokenizerLoadingError.self) {
            try HuggingFaceTokenizer.load(folder: folder.url)
        }
        guard case .malformedConfiguration(_, let problem) = error else {
            Issue.record("expected malformedConfiguration, got \(error)")
            return
        }
        #expect(problem.contains("do_lower_case"))
    }

    @Test func vocabularyTextWithWindowsLineEndingsReadsTheSameTokens() throws {
        let original = try String(
            contentsOf: TokenizerFixtures.chineseCLIPFolder.appendingPathComponent("vocab.txt"), encoding: .utf8)
        let folder = try TemporaryTokenizerFolder.copy(
            of: TokenizerFixtures.chineseCLIPFolder,
            replacing: [
                "vocab.txt": original.replacingOccurrences(of: "\n", with: "\r\n")
            ])
        defer { folder.remove() }
        let crlf = try HuggingFaceTokenizer.load(folder: folder.url)
        let text = "一只棕色的小狗 on the grass!"
        #expect(crlf.tokenIDs(text) == (try TokenizerFixtures.chineseCLIP()).tokenIDs(text))
    }
}
