import Foundation
import GlimpseClient
import Testing

@Suite struct RequestPathTests {
    @Test func aChineseQueryIsPercentEncodedAsUTF8() {
        #expect(RequestPath.search("狗", k: nil, ef: nil) == "/v1/search?q=%E7%8B%97")
    }

    @Test func kAndEfAreAddedOnlyWhenGiven() {
        #expect(RequestPath.search("dog", k: 5, ef: 64) == "/v1/search?q=dog&k=5&ef=64")
        #expect(RequestPath.search("dog", k: nil, ef: 64) == "/v1/search?q=dog&ef=64")
        #expect(RequestPath.search("dog", k: nil, ef: nil, align: false) == "/v1/search?q=dog&align=false")
    }

    @Test func queryCharactersWithAMeaningInURLsAreEncodedAndComeBackUnchanged() throws {
        let query = "a+b & c=d 100% #1 /x? 一只小狗"
        let path = RequestPath.search(query, k: nil, ef: nil)
        let encoded = try #require(path.split(separator: "=", maxSplits: 1).last)
        #expect(!encoded.contains { "+& =#/?".contains($0) }, "\(encoded)")
        // The daemon reads `+` as a space, so decoding the value as it does must give the query back.
        #expect(encoded.replacingOccurrences(of: "+", with: " ").removingPercentEncoding == query)
    }

    @Test func anItemIdIsOnePathSegmentEvenWithSlashes() {
        let path = RequestPath.item(id: "/photos/狗 1.jpg")
        #expect(path == "/v1/items/%2Fphotos%2F%E7%8B%97%201.jpg")
        #expect(String(path.dropFirst("/v1/items/".count)).removingPercentEncoding == "/photos/狗 1.jpg")
    }

    @Test func jobPathsUseTheNumericId() {
        #expect(RequestPath.job(id: 42) == "/v1/jobs/42")
    }
}
