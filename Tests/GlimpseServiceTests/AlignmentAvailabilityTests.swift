import Foundation
import GlimpseAPI
import Testing

@testable import GlimpseService

/// Cross-lingual alignment needs the bilingual dictionary; without a usable one the service must say so and still
/// serve plain vector search.
struct AlignmentAvailabilityTests {
    private func service(dictionary: String?, fixture: ServiceFixture) throws -> GlimpseService {
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.dictionaryPath = dictionary
        return try fixture.makeService(configuration: configuration)
    }

    private func writeDictionary(_ text: String, fixture: ServiceFixture) throws -> String {
        let url = fixture.directory.appendingPathComponent("EnWords.csv")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func aMissingDictionaryDisablesAlignmentButSearchWorks() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let path = fixture.directory.appendingPathComponent("absent.csv").path
        let service = try service(dictionary: path, fixture: fixture)
        let alignment = try #require(try service.status().alignment)
        #expect(!alignment.active)
        #expect(alignment.dictionaryPath == path)
        #expect(alignment.error?.contains("not found at \(path)") == true)
        try await withRunningService(service) { service in
            try await ingestNamed(["dog", "cat"], into: service, fixture: fixture)
            let response = try await service.search("dog", k: 2, ef: nil)
            #expect(response.results.first?.id == "dog")
            #expect(response.aligned == false)
            #expect(response.searched == ["dog"])
        }
    }

    @Test func aCorruptDictionaryDisablesAlignmentButSearchWorks() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let path = try writeDictionary("\"word\",\"translation\"\n\"dog\",\"n.狗\n", fixture: fixture)
        let service = try service(dictionary: path, fixture: fixture)
        let alignment = try #require(try service.status().alignment)
        #expect(!alignment.active)
        #expect(alignment.error?.contains("corrupt at line 2") == true)
        try await withRunningService(service) { service in
            try await ingestNamed(["dog", "cat"], into: service, fixture: fixture)
            #expect(try await service.search("cat", k: 1, ef: nil).results.map(\.id) == ["cat"])
        }
    }

    @Test func noDictionaryConfiguredMeansAlignmentOff() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let alignment = try #require(try service(dictionary: nil, fixture: fixture).status().alignment)
        #expect(!alignment.active)
        #expect(alignment.error == "no dictionary configured")
    }

    @Test func aLoadedDictionaryTurnsAlignmentOnAndCanBeSwitchedOffPerQuery() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let path = try writeDictionary(
            "\"word\",\"translation\"\n\"dog\",\"n.狗,犬\"\n\"cat\",\"n.猫\"\n", fixture: fixture)
        let service = try service(dictionary: path, fixture: fixture)
        let alignment = try #require(try service.status().alignment)
        #expect(alignment.active)
        #expect(alignment.englishHeadwords == 2)
        try await withRunningService(service) { service in
            try await ingestNamed(["dog", "cat"], into: service, fixture: fixture)
            let plain = try await service.search("狗", k: 2, ef: nil, align: false)
            #expect(plain.aligned == false)
            #expect(plain.searched == ["狗"])
            let aligned = try await service.search("狗", k: 2, ef: nil)
            #expect(aligned.aligned == true)
            #expect(aligned.searched == ["狗", "dog"])
            // The bag-of-words test embedder knows no Chinese: only the translation can find the dog.
            #expect(aligned.results.first?.id == "dog")
            let english = try await service.search("cat", k: 2, ef: nil)
            #expect(english.searched == ["cat", "猫"])
            #expect(english.results.first?.id == "cat")
        }
    }
}

/// A query mixing Chinese and English is searched as a whole, as each part, and through each part's translation.
struct MixedQueryAlignmentTests {
    @Test func aMixedQueryIsSplitTranslatedAndFused() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let url = fixture.directory.appendingPathComponent("EnWords.csv")
        try Data("\"word\",\"translation\"\n\"red\",\"n.红色\"\n\"car\",\"n.汽车,小汽车\"\n\"boat\",\"n.小船\"\n".utf8).write(
            to: url)
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.dictionaryPath = url.path
        let service = try fixture.makeService(configuration: configuration)
        try await withRunningService(service) { service in
            try await ingestNamed(["red car", "blue boat"], into: service, fixture: fixture)
            let response = try await service.search("红色汽车 red car", k: 2, ef: nil)
            let searched = try #require(response.searched)
            #expect(searched.prefix(3) == ["红色汽车 red car", "红色汽车", "red car"])
            #expect(searched.contains("红色汽车") && searched.contains("red car"))
            #expect(response.results.first?.id == "red car")
        }
    }
}
