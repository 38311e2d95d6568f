import Foundation
import GlimpseAPI
import Testing

@testable import GlimpseService

/// CC-CEDICT beside the word list: a broken file turns alignment off like a broken word list; a good one adds the
/// translations the word list lacks.
struct CedictAlignmentTests {
    private func service(
        cedict: String, fixture: ServiceFixture,
        words wordList: String = "\"word\",\"translation\"\n\"dog\",\"n.狗,犬\"\n"
    ) throws -> GlimpseService {
        let words = fixture.directory.appendingPathComponent("EnWords.csv")
        try Data(wordList.utf8).write(to: words)
        let cedictURL = fixture.directory.appendingPathComponent("cedict_ts.u8")
        try Data(cedict.utf8).write(to: cedictURL)
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.dictionaryPath = words.path
        configuration.cedictPath = cedictURL.path
        return try fixture.makeService(configuration: configuration)
    }

    @Test func aCorruptCedictDisablesAlignmentButSearchWorks() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try service(cedict: "貓 猫 [mao1] /cat/\n貓 猫 mao1 cat\n", fixture: fixture)
        let alignment = try #require(try service.status().alignment)
        #expect(!alignment.active)
        #expect(alignment.error?.contains("cedict_ts.u8 is corrupt at line 2") == true)
        try await withRunningService(service) { service in
            try await ingestNamed(["dog", "cat"], into: service, fixture: fixture)
            let response = try await service.search("cat", k: 1, ef: nil)
            #expect(response.results.map(\.id) == ["cat"])
            #expect(response.aligned == false)
        }
    }

    @Test func cedictTranslatesWordsTheWordListLacks() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try service(cedict: "# CC-CEDICT\n貓 猫 [mao1] /cat/CL:隻|只[zhi1]/\n", fixture: fixture)
        #expect(try service.status().alignment?.active == true)
        try await withRunningService(service) { service in
            try await ingestNamed(["dog", "cat"], into: service, fixture: fixture)
            // The bag-of-words test embedder knows no Chinese: only CC-CEDICT's translation can find the cat.
            let response = try await service.search("猫", k: 2, ef: nil)
            #expect(response.searched?.contains("cat") == true)
            #expect(response.results.first?.id == "cat")
            #expect(try await service.search("cat", k: 2, ef: nil).searched?.contains("猫") == true)
        }
    }

    @Test func englishCandidatesThatDoNotTranslateBackAreNotSearched() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try service(
            cedict: "鑷子 镊子 [nie4 zi5] /tweezers/nippers/pliers/\n鉗子 钳子 [qian2 zi5] /pliers/\n", fixture: fixture,
            words: "\"word\",\"translation\"\n\"pliers\",\"n.钳子,老虎钳\"\n\"tweezers\",\"n.镊子\"\n")
        try await withRunningService(service) { service in
            try await ingestNamed(["tweezers", "pliers"], into: service, fixture: fixture)
            // pliers' main gloss is 钳子, so 镊子 → pliers does not round-trip; nippers translates to nothing.
            let response = try await service.search("镊子", k: 2, ef: nil)
            #expect(response.searched == ["镊子", "tweezers"])
            #expect(response.results.first?.id == "tweezers")
        }
    }

    @Test func traditionalChineseQueriesAreTranslatedLikeSimplifiedOnes() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try service(
            cedict: "# CC-CEDICT\n貓 猫 [mao1] /cat/CL:隻|只[zhi1]/\n汽車 汽车 [qi4 che1] /car; automobile/\n", fixture: fixture
        )
        try await withRunningService(service) { service in
            try await ingestNamed(["dog", "cat", "car"], into: service, fixture: fixture)
            // 貓 is traditional for 猫: it gets cat, and the simplified word for simplified captions.
            let cat = try await service.search("貓", k: 3, ef: nil)
            #expect(cat.searched == ["貓", "cat", "猫"])
            #expect(cat.results.first?.id == "cat")
            let car = try await service.search("汽車", k: 3, ef: nil)
            #expect(car.searched?.contains("car") == true)
            #expect(car.results.first?.id == "car")
        }
    }
}
