import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// Item fields, filters, paging, "more like this", listing and bulk delete through the real daemon and model over
/// the shared photos (issue 14): two owners' photos, each owner's searches return only their own items.
@Suite(.serialized) struct FilteredSearchEndToEndTests {
    static let january1: Double = 1_704_067_200

    /// Owner u1 for even positions, u2 for odd; taken_at one day apart from 2024-01-01; tags by position.
    static func withFields(_ items: [IngestItem]) -> [IngestItem] {
        items.enumerated().map { index, item in
            var item = item
            let taken = Date(timeIntervalSince1970: january1 + Double(index) * 86_400)
            item.fields = [
                "owner": .string(index % 2 == 0 ? "u1" : "u2"),
                "taken_at": .string(taken.formatted(.iso8601)),
                "tags": .array([.string(index % 3 == 0 ? "favourite" : "other")]),
                "position": .number(Double(index)),
            ]
            return item
        }
    }

    static func filter(_ owner: String) -> String { #"{"field":"owner","eq":"\#(owner)"}"# }

    @Test func fieldsFiltersPagingSimilarListingAndBulkDelete() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("e2e-filters") { directory in
            let items = Self.withFields(try SharedPhotoManifest.items(in: directory))
            try #require(items.count > 100, "the shared photos")
            let ownerOf = Dictionary(
                uniqueKeysWithValues: items.enumerated().map { ($1.effectiveID, $0 % 2 == 0 ? "u1" : "u2") })
            let idsOf = Dictionary(grouping: ownerOf.keys, by: { ownerOf[$0]! }).mapValues(Set.init)
            try await withDaemon(in: directory) { daemon in
                try await SharedPhotoManifest.ingest(items, into: daemon)
                let client = daemon.client

                // Fields come back with items and results.
                let first = try await client.item(id: items[0].effectiveID)
                #expect(first.fields?["owner"] == .string("u1"))
                #expect(first.fields?["tags"] == .array([.string("favourite")]))

                // Each owner's text searches and similar searches return only their own items.
                for owner in ["u1", "u2"] {
                    for query in ["dog", "狗", "a photo of a street", "猫"] {
                        let response = try await client.search(
                            query, k: 20, page: SearchPageOptions(filter: Self.filter(owner)))
                        #expect(response.results.count == 20, "\(owner) \(query): a full page")
                        #expect(response.results.allSatisfy { idsOf[owner]!.contains($0.id) }, "\(owner) \(query)")
                        #expect(response.results.allSatisfy { $0.fields?["owner"] == .string(owner) })
                    }
                    let seed = idsOf[owner]!.sorted()[0]
                    let similar = try await client.similar(
                        id: seed, k: 15, page: SearchPageOptions(filter: Self.filter(owner)))
                    #expect(similar.results.count == 15)
                    #expect(similar.results.allSatisfy { idsOf[owner]!.contains($0.id) }, "similar, \(owner)")
                    #expect(!similar.results.contains { $0.id == seed }, "never the item itself")
                }
                let unfilteredSimilar = try await client.similar(id: items[0].effectiveID, k: 30)
                #expect(unfilteredSimilar.results.count == 30)
                #expect(!unfilteredSimilar.results.contains { $0.id == items[0].effectiveID })
                #expect(Set(unfilteredSimilar.results.compactMap { ownerOf[$0.id] }) == ["u1", "u2"])

                // A date range: positions 10 to 19 (inclusive lower, exclusive upper bound).
                let from = Date(timeIntervalSince1970: Self.january1 + 10 * 86_400).formatted(.iso8601)
                let to = Date(timeIntervalSince1970: Self.january1 + 20 * 86_400).formatted(.iso8601)
                let range = #"{"and":[{"field":"taken_at","gte":"\#(from)"},{"field":"taken_at","lt":"\#(to)"}]}"#
                let inRange = Set(items[10..<20].map(\.effectiveID))
                let listed = try await client.listItems(filter: range, limit: 100)
                #expect(Set(listed.items.map(\.id)) == inRange)
                #expect(listed.nextCursor == nil)
                let rangeSearch = try await client.search("dog", k: 20, page: SearchPageOptions(filter: range))
                #expect(Set(rangeSearch.results.map(\.id)) == inRange, "all ten found, nothing else")

                // Listing with a cursor visits every item exactly once.
                var listedIDs: [String] = []
                var cursor: String?
                repeat {
                    let page = try await client.listItems(limit: 25, cursor: cursor)
                    listedIDs += page.items.map(\.id)
                    cursor = page.nextCursor
                } while cursor != nil
                #expect(listedIDs.count == items.count)
                #expect(Set(listedIDs) == Set(items.map(\.effectiveID)))

                // Search pages with a cursor: one owner's items, each exactly once.
                var searched: [String] = []
                cursor = nil
                repeat {
                    let page = try await client.search(
                        "a photo", k: 25, page: SearchPageOptions(filter: Self.filter("u2"), cursor: cursor))
                    #expect(page.offset == searched.count)
                    searched += page.results.map(\.id)
                    cursor = page.nextCursor
                } while cursor != nil
                #expect(searched.count == Set(searched).count, "no result twice")
                #expect(Set(searched) == idsOf["u2"]!, "every item of the owner once")
                // offset gives the same pages; min_score cuts the ranking.
                let second = try await client.search(
                    "a photo", k: 25, page: SearchPageOptions(filter: Self.filter("u2"), offset: 25))
                #expect(second.results.map(\.id) == Array(searched[25..<50]))
                let top = try await client.search("dog", k: 10)
                let threshold = top.results[4].score
                let cut = try await client.search("dog", k: 10, page: SearchPageOptions(minScore: threshold))
                #expect(
                    cut.results.allSatisfy { $0.score >= threshold } && cut.results.count >= 5 && cut.results.count < 10
                )

                // Bad parameters and filters name the problem.
                for (path, code, mention) in [
                    ("/v1/search?q=dog&ofset=5", "unknown_parameter", "ofset"),
                    (
                        "/v1/search?q=dog&filter=%7B%22field%22%3A%22a%22%2C%22gte%22%3A%22soon%22%7D",
                        "invalid_filter", "filter.gte"
                    ),
                    ("/v1/search?q=dog&offset=250", "invalid_offset", "offset"),
                    ("/v1/search?q=dog&cursor=abc", "invalid_cursor", "cursor"),
                    ("/v1/items?limit=5&page=2", "unknown_parameter", "page"),
                ] {
                    let answer = try await client.raw(method: "GET", path: path, body: nil)
                    #expect(answer.status == 400, "\(path)")
                    let error = try JSONDecoder().decode(ErrorResponse.self, from: answer.body)
                    #expect(error.error.code == code, "\(path)")
                    #expect(error.error.message.contains(mention), "\(path): \(error.error.message)")
                }

                // POST /v1/search takes the same as a JSON body, the filter as an object; unknown fields are named.
                let body = #"{"q": "dog", "k": 5, "filter": {"field": "owner", "eq": "u1"}, "min_score": -1}"#
                let posted = try await client.raw(method: "POST", path: "/v1/search", body: Data(body.utf8))
                #expect(posted.status == 200, "\(String(decoding: posted.body, as: UTF8.self))")
                let postedResults = try JSONDecoder().decode(SearchResponse.self, from: posted.body).results
                #expect(postedResults.count == 5 && postedResults.allSatisfy { idsOf["u1"]!.contains($0.id) })
                let typo = try await client.raw(
                    method: "POST", path: "/v1/search", body: Data(#"{"q": "dog", "filtre": {}}"#.utf8))
                #expect(typo.status == 400)
                #expect(try JSONDecoder().decode(ErrorResponse.self, from: typo.body).error.code == "unknown_field")

                // A re-ingest replaces the fields.
                var moved = items[1]
                moved.fields = ["owner": .string("u3")]
                let job = try await daemon.adminClient.ingest([moved])
                try await SharedPhotoManifest.waitForJob(job.jobID, daemon: daemon)
                #expect(try await client.item(id: moved.effectiveID).fields == ["owner": .string("u3")])
                let u3 = try await client.search("dog", k: 5, page: SearchPageOptions(filter: Self.filter("u3")))
                #expect(u3.results.map(\.id) == [moved.effectiveID])

                // Bulk delete by filter: a dry run counts, the CLI deletes, then nothing of u2 is found.
                let u2Count = idsOf["u2"]!.count - 1
                let dry = try await daemon.adminClient.deleteItems(filter: Self.filter("u2"), dryRun: true)
                #expect(dry.matched == u2Count && dry.dryRun)
                #expect(try await client.listItems(filter: Self.filter("u2"), limit: 1000).items.count == u2Count)
                let glimpse = TestEnvironment.binaries.appendingPathComponent("glimpse")
                let deleted = try runCommand(
                    glimpse, daemon.socketArguments + ["delete", "--filter", Self.filter("u2"), "--json"])
                #expect(deleted.status == 0, "\(deleted.output)")
                #expect(
                    deleted.output.contains("\"matched\" : \(u2Count)")
                        || deleted.output.contains("\"matched\":\(u2Count)"))
                #expect(
                    try await client.search("dog", k: 10, page: SearchPageOptions(filter: Self.filter("u2"))).results
                        .isEmpty)
                #expect(try await client.status().catalog.items == items.count - u2Count)

                // The CLI's list and similar.
                let list = try runCommand(glimpse, daemon.socketArguments + ["list", "--filter", Self.filter("u3")])
                #expect(list.status == 0 && list.output.contains(moved.effectiveID), "\(list.output)")
                let similarCLI = try runCommand(
                    glimpse, daemon.socketArguments + ["similar", items[0].effectiveID, "-k", "3", "--json"])
                #expect(similarCLI.status == 0, "\(similarCLI.output)")
                let badFilter = try runCommand(glimpse, daemon.socketArguments + ["search", "dog", "--filter", "{"])
                #expect(badFilter.status == 2, "a refused filter exits 2: \(badFilter.output)")
            }
        }
    }
}
