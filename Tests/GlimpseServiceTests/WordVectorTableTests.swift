import Foundation
import GlimpseAPI
import GlimpseEmbedding
import GlimpseLanguage
import GlimpseTestSupport
import Testing

@testable import GlimpseService

/// The install-time word-vector table: built from the aligner's own needs, looked up equal (within float16) to the
/// live embedder, used by aligned searches so dictionary words cost no embedding, and ignored (never trusted, never
/// a crash) when stale, truncated or corrupt.
struct WordVectorTableTests {
    private static let meanings = [
        "勺子": "spoon", "蝙蝠": "bat animal", "球棒": "bat club", "蝠": "flying mammal",
        "猫": "cat", "猫咪": "cat kitty", "喵": "meow", "红": "red", "红色": "red colour", "车": "car",
        "汽车": "car automobile",
    ]
    private static let words = """
        "word","translation"
        "bat","n.蝙蝠,球棒"
        "dog","n.狗"
        "ladle","n.勺子"
        "spoon","n.勺子"
        "feline","n.猫"
        "red","a.红色的,红的"
        "car","n.汽车,车"

        """
    private static let cedict = """
        # CC-CEDICT
        勺子 勺子 [shao2 zi5] /scoop/ladle/spoon/
        蝙蝠 蝙蝠 [bian1 fu2] /bat/
        球棒 球棒 [qiu2 bang4] /bat/
        蝠 蝠 [fu2] /bat/
        貓 猫 [mao1] /cat/feline/
        貓咪 猫咪 [mao1 mi1] /cat/
        喵 喵 [miao1] /cat/

        """
    private static let fingerprint = "test-model:1"
    private static let queryWords = ["bat", "cat", "spoon", "dog", "red", "car"]

    private struct Setup {
        let fixture: ServiceFixture
        let embedder: TestOnlyCountingEmbedder
        let configuration: ServiceConfiguration
        let tableURL: URL
        var dictionary: BilingualDictionary {
            try! BilingualDictionary.load(
                contentsOf: configuration.dictionaryPath!, cedictPath: configuration.cedictPath)
        }
    }

    private func setup() throws -> Setup {
        let fixture = try ServiceFixture()
        let wordsURL = fixture.directory.appendingPathComponent("EnWords.csv")
        try Data(Self.words.utf8).write(to: wordsURL)
        let cedictURL = fixture.directory.appendingPathComponent("cedict_ts.u8")
        try Data(Self.cedict.utf8).write(to: cedictURL)
        let embedder = TestOnlyCountingEmbedder(TestOnlyGlossingEmbedder(meanings: Self.meanings))
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.dictionaryPath = wordsURL.path
        configuration.cedictPath = cedictURL.path
        configuration.modelFingerprints = [embedder.spaceName: Self.fingerprint]
        configuration.queryVectorCacheEntries = 0
        let tableURL = fixture.directory.appendingPathComponent("words.table")
        configuration.wordTablePath = tableURL.path
        return Setup(fixture: fixture, embedder: embedder, configuration: configuration, tableURL: tableURL)
    }

    @discardableResult
    private func build(_ setup: Setup, fingerprint: String = fingerprint, checksum: String? = nil) throws
        -> WordVectorTableBuilder.Summary
    {
        try WordVectorTableBuilder(embedder: setup.embedder, dictionary: setup.dictionary).build(
            englishWords: Self.queryWords, modelFingerprint: fingerprint,
            dictionaryChecksum: checksum
                ?? WordVectorTable.dictionaryChecksum(paths: [
                    setup.configuration.dictionaryPath, setup.configuration.cedictPath,
                ]),
            to: setup.tableURL)
    }

    private func cosine(_ a: [Float], _ b: [Float]) -> Float {
        VectorMath.dot(a, b) / (VectorMath.dot(a, a).squareRoot() * VectorMath.dot(b, b).squareRoot())
    }

    @Test func aBuiltTableHoldsEveryTextAligningItsWordsNeedsAndLooksUpAsTheEmbedderEmbeds() throws {
        let setup = try setup()
        defer { setup.fixture.remove() }
        let summary = try build(setup)
        let table = try WordVectorTable(contentsOf: setup.tableURL)
        #expect(table.header.count == summary.texts)
        #expect(table.header.spaceName == setup.embedder.spaceName)
        #expect(table.header.modelFingerprint == Self.fingerprint)
        // Aligning any query word, English or its Chinese translation, finds every vector it needs in the table.
        let aligner = QueryAligner(dictionary: setup.dictionary)
        for word in Self.queryWords + ["蝙蝠", "勺子", "狗"] {
            var resolution = QueryAligner.Resolution(
                aligner: aligner, vectors: [:], stored: { table.vector(for: $0) })
            _ = resolution.align(word)
            #expect(resolution.missing.isEmpty, "\(word) still needs \(resolution.missing)")
        }
        // The composition glosses of a word are there too (a phrase is composed from them).
        for text in ["红色", "红", "汽车", "车"] { #expect(table.vector(for: text) != nil, "\(text)") }
        #expect(table.vector(for: "not a dictionary word") == nil)
        #expect(table.vector(for: "") == nil)
        // Float16 storage: every stored vector is the live query vector within the documented tolerance.
        setup.embedder.reset()
        for text in ["bat", "蝙蝠", "球棒", "蝠", "勺子", "scoop", "spoon", "cat", "猫咪", "红色"] {
            let stored = try #require(table.vector(for: text), "\(text)")
            let live = try setup.embedder.embed([text], role: .query)[0]
            #expect(stored.count == live.count)
            #expect(cosine(stored, live) >= 0.999, "\(text): cosine \(cosine(stored, live))")
            #expect(zip(stored, live).allSatisfy { abs($0 - $1) < 2e-3 }, "\(text)")
        }
    }

    @Test func alignedSearchesTakeDictionaryWordsFromTheTableAndAnswerAsWithoutIt() async throws {
        let setup = try setup()
        defer { setup.fixture.remove() }
        try build(setup)
        var withoutTable = setup.configuration
        withoutTable.wordTablePath = nil
        let captions = [
            ("bat-animal", "zh", "蝙蝠"), ("bat-club", "zh", "球棒"), ("spoon", "en", "spoon"), ("cat", "zh", "猫"),
            ("red-car", "zh", "红色汽车"), ("dog", "en", "dog"),
        ]
        var answers: [Bool: [String: SearchResponse]] = [:]
        var embedded: [Bool: [String: [[String]]]] = [:]
        for useTable in [false, true] {
            let service = try setup.fixture.makeService(
                embedder: setup.embedder, configuration: useTable ? setup.configuration : withoutTable)
            try await withRunningService(service) { service in
                if !useTable {
                    let items = try captions.map {
                        IngestItem(id: $0.0, imagePath: try setup.fixture.image("\($0.0).jpg"), captions: [$0.1: $0.2])
                    }
                    _ = try await waitForJob(try service.ingest(items).jobID, in: service)
                }
                for query in ["bat", "勺子", "cat", "spoon", "red car"] {
                    setup.embedder.reset()
                    answers[useTable, default: [:]][query] = try await service.search(
                        query, k: 4, ef: nil, align: true)
                    embedded[useTable, default: [:]][query] = setup.embedder.queryCalls.map(\.texts)
                }
            }
        }
        for query in ["bat", "勺子", "cat", "spoon", "red car"] {
            #expect(answers[true]?[query]?.searched == answers[false]?[query]?.searched, "\(query)")
            #expect(
                answers[true]?[query]?.results.map(\.id) == answers[false]?[query]?.results.map(\.id), "\(query)")
        }
        // Words: nothing embedded at all. A phrase the dictionary lacks: the query and its composition, one call.
        for query in ["bat", "勺子", "cat", "spoon"] { #expect(embedded[true]?[query] == [], "\(query)") }
        #expect(answers[true]?["red car"]?.searched == ["red car", "红车"])
        #expect(embedded[true]?["red car"] == [["red car", "红车"]])
        #expect((embedded[false]?["bat"]?.joined().count ?? 0) > 0)
    }

    @Test func aTableOfAnotherModelOrOtherDictionariesIsIgnored() async throws {
        for stale in ["model", "dictionary"] {
            let setup = try setup()
            defer { setup.fixture.remove() }
            if stale == "model" {
                try build(setup, fingerprint: "another-model:2")
            } else {
                try build(setup, checksum: "sha256:another-dictionary")
            }
            let service = try setup.fixture.makeService(embedder: setup.embedder, configuration: setup.configuration)
            #expect(service.searchEngine.wordTables.isEmpty, "\(stale)")
            // Status says the table is not used, and why.
            let tableStatus = try service.status().indexes.first?.wordTable
            #expect(tableStatus?.loaded == false && tableStatus?.path == setup.tableURL.path, "\(stale)")
            #expect(tableStatus?.reason?.contains(stale == "model" ? "another model" : "other dictionaries") == true)
            try await withRunningService(service) { service in
                setup.embedder.reset()
                let response = try await service.search("bat", k: 4, ef: nil, align: true)
                #expect(response.searched == ["bat", "蝙蝠", "球棒"])
                // Falls back to embedding the dictionary words.
                #expect(Set(setup.embedder.queryCalls.flatMap(\.texts)) == ["bat", "蝙蝠", "球棒", "蝠"], "\(stale)")
            }
        }
    }

    @Test func aTruncatedOrCorruptTableIsRefusedAndTheDaemonSearchesWithoutIt() async throws {
        let setup = try setup()
        defer { setup.fixture.remove() }
        try build(setup)
        let good = try Data(contentsOf: setup.tableURL)
        let header = try WordVectorTable(contentsOf: setup.tableURL).header
        let entries = WordVectorTable.padded(
            WordVectorTable.fixedHeaderBytes + header.spaceName.utf8.count + header.modelFingerprint.utf8.count
                + header.dictionaryChecksum.utf8.count)
        var badMagic = good
        badMagic[0] = UInt8(ascii: "X")
        var badOffset = good
        // The first entry's key offset (bytes 8–11 of the entry) pointed far outside the keys.
        for byte in 8..<12 { badOffset[entries + byte] = 0xFF }
        var badCount = good
        badCount[16] &+= 1
        let damaged: [(String, Data)] = [
            ("truncated", good.prefix(good.count - 7)), ("header only", good.prefix(40)), ("empty", Data()),
            ("bad magic", badMagic), ("entry out of bounds", badOffset), ("count off by one", badCount),
            ("longer", good + Data([0, 0, 0, 0])),
        ]
        for (name, bytes) in damaged {
            try bytes.write(to: setup.tableURL)
            #expect(throws: WordVectorTableError.self, "\(name)") { try WordVectorTable(contentsOf: setup.tableURL) }
            let service = try setup.fixture.makeService(embedder: setup.embedder, configuration: setup.configuration)
            #expect(service.searchEngine.wordTables.isEmpty, "\(name)")
            try await withRunningService(service) { service in
                let response = try await service.search("bat", k: 4, ef: nil, align: true)
                #expect(response.searched == ["bat", "蝙蝠", "球棒"], "\(name)")
            }
        }
        // A missing table is no error either.
        try FileManager.default.removeItem(at: setup.tableURL)
        let service = try setup.fixture.makeService(embedder: setup.embedder, configuration: setup.configuration)
        #expect(service.searchEngine.wordTables.isEmpty)
        let missing = try service.status().indexes.first?.wordTable
        #expect(missing?.loaded == false && missing?.reason?.contains("no file") == true)
    }

    @Test func statusShowsAMappedTableWithItsPathAndTexts() throws {
        let setup = try setup()
        defer { setup.fixture.remove() }
        try build(setup)
        let texts = try WordVectorTable(contentsOf: setup.tableURL).header.count
        let service = try setup.fixture.makeService(embedder: setup.embedder, configuration: setup.configuration)
        let index = try #require(try service.status().indexes.first)
        #expect(index.wordTable == WordTableStatus(loaded: true, path: setup.tableURL.path, texts: texts))
        #expect(texts > 0)
        #expect(index.vectorEncoding == "float32" && index.rangesTrainedFromData == nil, "float32 has no ranges")
        var unconfigured = setup.configuration
        unconfigured.wordTablePath = nil
        let plain = try setup.fixture.makeService(embedder: setup.embedder, configuration: unconfigured)
        let none = try plain.status().indexes.first?.wordTable
        #expect(none == WordTableStatus(loaded: false, path: nil, reason: "no word-vector table configured"))
    }

    /// A corrupt vector (NaN bits) is a miss, so the embedder is asked rather than a NaN scored.
    @Test func aNonFiniteStoredVectorIsAMiss() throws {
        let setup = try setup()
        defer { setup.fixture.remove() }
        let dimension = setup.embedder.dimension
        var vectors = [
            "good": [Float](repeating: 0, count: dimension), "bad": [Float](repeating: .nan, count: dimension),
        ]
        vectors["good"]![0] = 1
        try WordVectorTable.write(
            vectors,
            header: .init(
                spaceName: "s", dimension: dimension, count: 2, modelFingerprint: "f", dictionaryChecksum: "c"),
            to: setup.tableURL)
        let table = try WordVectorTable(contentsOf: setup.tableURL)
        #expect(table.vector(for: "good")?.first == 1)
        #expect(table.vector(for: "bad") == nil)
    }
}
