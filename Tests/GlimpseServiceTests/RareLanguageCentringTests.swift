import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseEmbedding
import GlimpseTestSupport
import Testing

@testable import GlimpseService

/// Issue 12.7 and 12.9: per-language centring with a language of one, two or ten captions, and captions that lie
/// close to their language's mean. A lone `fr` caption is its language's mean, so unshrunk centring divided noise
/// by a near-zero norm (score 1.75, first for every query).
struct RareLanguageCentringTests {
    private static let english = [
        "a red car", "a small dog", "a green tree", "an old house", "a blue boat", "a wide river", "a yellow bird",
        "a black cat", "a tall lamp", "a round table", "a wooden chair", "a bright sun", "a white cup",
        "a new phone", "a quiet street", "a big horse",
    ]
    private static let chinese = [
        "红色 汽车", "小 狗", "绿色 树", "老 房子", "蓝色 船", "宽 河", "黄色 鸟", "黑色 猫", "高 灯", "圆 桌子",
        "木 椅子", "明亮 太阳",
    ]
    private static let french = [
        "un chapeau de paille", "une fenêtre ouverte", "le pont de pierre", "une bougie allumée", "un vieux moulin",
        "la colline verte", "un panier de fraises", "une cloche d'église", "le phare du port", "un violon ancien",
    ]

    private func catalog(frenchCaptions: Int, fixture: ServiceFixture) throws -> [IngestItem] {
        var items: [IngestItem] = []
        for (index, caption) in Self.english.enumerated() {
            items.append(
                IngestItem(
                    id: "en-\(index)", imagePath: try fixture.image("en-\(index).jpg"), captions: ["en": caption]))
        }
        for (index, caption) in Self.chinese.enumerated() {
            items.append(
                IngestItem(
                    id: "zh-\(index)", imagePath: try fixture.image("zh-\(index).jpg"), captions: ["zh": caption]))
        }
        for (index, caption) in Self.french.prefix(frenchCaptions).enumerated() {
            items.append(
                IngestItem(
                    id: "fr-\(index)", imagePath: try fixture.image("fr-\(index).jpg"), captions: ["fr": caption]))
        }
        return items
    }

    @Test(arguments: [1, 2, 10])
    func aRareLanguageScoresInRangeAndOnlyForItsOwnText(frenchCaptions: Int) async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        try await withRunningService(service) { service in
            let job = try await waitForJob(
                try service.ingest(try catalog(frenchCaptions: frenchCaptions, fixture: fixture)).jobID, in: service)
            #expect(job.state == .done)
            let total = Self.english.count + Self.chinese.count + frenchCaptions
            for mode in [QueryAlignment.centring, .full] {
                for (query, expected) in [("a red car", "en-0"), ("黑色 猫", "zh-7"), ("a round table", "en-9")] {
                    let response = try await service.search(query, k: total, ef: nil, alignment: mode)
                    #expect(response.results.first?.id == expected, "\(mode) \(query): \(response.results.prefix(3))")
                    for result in response.results {
                        #expect(
                            (-1...1).contains(result.score), "\(mode) \(query): \(result.id) scored \(result.score)")
                    }
                    // French items score like any unrelated caption: far below the match (the lone caption used
                    // to score 1.75, first for every query).
                    for result in response.results where result.id.hasPrefix("fr-") {
                        #expect(result.score < 0.6, "\(mode) \(query): \(result.id) scored \(result.score)")
                    }
                }
                // The French item is found for its own text.
                for index in 0..<frenchCaptions {
                    let response = try await service.search(Self.french[index], k: 5, ef: nil, alignment: mode)
                    #expect(response.results.first?.id == "fr-\(index)", "\(mode) \(Self.french[index])")
                    #expect(response.results.allSatisfy { (-1...1).contains($0.score) })
                }
            }
        }
    }

    private func unit(_ vector: [Float]) -> [Float] { VectorMath.normalised(vector) }

    /// Issue 12.9: a one-word caption that matches the query exactly ranks below a sentence that matches it too,
    /// and junk captions never reach the top for unrelated queries; plain (off) search keeps raw cosines.
    @Test func shortCaptionsCountByHowMuchTheySay() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        var items = try catalog(frenchCaptions: 0, fixture: fixture)
        let extra = ["dog": "dog", "sentence": "a small dog sleeping on the grass", "x": "x", "do": "do", "ok": "ok"]
        for (id, caption) in extra {
            items.append(IngestItem(id: id, imagePath: try fixture.image("\(id).jpg"), captions: ["en": caption]))
        }
        try await withRunningService(service) { service in
            #expect(try await waitForJob(try service.ingest(items).jobID, in: service).state == .done)
            let dog = try await service.search("dog", k: 5, ef: nil, alignment: .centring)
            // The sentences that say "dog" among other words rank above the caption that is only "dog".
            #expect(["sentence", "en-1"].contains(dog.results.first?.id ?? ""), "\(dog.results.map(\.id))")
            let short = try #require(dog.results.first { $0.id == "dog" })
            // One token of four: at most a quarter of a perfect centred cosine.
            #expect(short.score > 0 && short.score <= 0.25 + 1e-5, "the one-word caption scored \(short.score)")
            // Alignment off is the raw cosine: the exact one-word match is first there.
            let plain = try await service.search("dog", k: 5, ef: nil, alignment: .off)
            #expect(plain.results.first?.id == "dog")
            #expect(abs((plain.results.first?.score ?? 0) - 1) < 1e-5)
            for query in ["a red car", "an old house", "a wooden chair", "黑色 猫"] {
                let response = try await service.search(query, k: 5, ef: nil, alignment: .centring)
                let junk = response.results.filter { ["x", "do", "ok"].contains($0.id) }
                #expect(junk.isEmpty, "\(query): \(response.results.map(\.id))")
            }
        }
    }

    @Test func aLoneCaptionIsCentredOnAShrunkMeanNotOnItself() throws {
        let caption = unit([0.6, 0.8, 0, 0])
        let means = LanguageMeans.Means(
            sums: [
                LanguageSum(space: "s", language: "en", dimension: 4, count: 100, sum: [80, 0, 0, 0]),
                LanguageSum(space: "s", language: "fr", dimension: 4, count: 1, sum: caption.map(Double.init)),
            ], dimension: 4)
        let french = try #require(means.vectors["fr"])
        // Shrunk toward the global mean: not the caption itself.
        #expect(VectorMath.dot(zip(caption, french).map { $0 - $1 }, zip(caption, french).map { $0 - $1 }) > 0.1)
        for query in [unit([1, 0, 0, 0]), unit([0.6, 0.8, 0, 0]), unit([0, 0, 1, 0]), unit([0.7, -0.7, 0.1, 0])] {
            let score = try #require(
                means.centred(
                    score: VectorMath.dot(query, caption),
                    queryProjections: means.vectors.mapValues { VectorMath.dot(query, $0) }, queryLanguage: "en",
                    caption: caption, language: "fr"))
            #expect((-1...1).contains(score), "\(query): \(score)")
        }
    }
}
