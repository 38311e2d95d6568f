import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// Photo facts through the real daemon (text-only, so the facts come from the first streamed chunk): the shared
/// photos (no EXIF in any of them, so only their size) and the PhotoFacts fixtures (known EXIF capture times),
/// returned with items and results and filtered by `photo.taken_at` and `photo.width`.
@Suite(.serialized) struct PhotoFactsEndToEndTests {
    static let fixtures = TestFixtures.root.appendingPathComponent("PhotoFacts")

    /// A baseline or progressive JPEG's stored size from its SOF segment, read here independently of GlimpseImage.
    /// The shared photos have no EXIF orientation, so stored size is upright size.
    static func jpegSize(_ url: URL) throws -> (width: Int, height: Int) {
        let bytes = [UInt8](try Data(contentsOf: url))
        var at = 2
        while at + 9 < bytes.count {
            guard bytes[at] == 0xFF else {
                at += 1
                continue
            }
            let marker = bytes[at + 1]
            if marker == 0xFF {
                at += 1
                continue
            }
            let length = Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                return (Int(bytes[at + 7]) << 8 | Int(bytes[at + 8]), Int(bytes[at + 5]) << 8 | Int(bytes[at + 6]))
            }
            at += 2 + length
        }
        throw CocoaError(.fileReadCorruptFile)
    }

    @Test func factsAreStoredReturnedAndFilteredByCaptureTimeAndWidth() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("e2e-photo-facts") { directory in
            let shared = try SharedPhotoManifest.items(in: directory)
            try #require(shared.count == 177, "the shared photos")
            let fixtureNames = ["offset-rotated.jpg", "no-offset.png", "offset.webp", "offset.heic"]
            let fixtureItems = fixtureNames.map { name in
                IngestItem(
                    id: name, imagePath: Self.fixtures.appendingPathComponent(name).path, captions: ["en": "a photo"])
            }
            var widths: [String: Int] = [:]
            for item in shared {
                widths[item.effectiveID] = try Self.jpegSize(URL(fileURLWithPath: item.imagePath)).width
            }
            try await withDaemon(in: directory) { daemon in
                try await SharedPhotoManifest.ingest(shared + fixtureItems, into: daemon)
                let client = daemon.client

                // Stored and returned with the item: the instant in UTC, the offset as written, the upright size.
                let rotated = try await client.item(id: "offset-rotated.jpg")
                #expect(
                    rotated.photo
                        == PhotoFactsResponse(
                            takenAt: "2024-05-17T06:03:59Z", utcOffset: "+08:00", width: 48, height: 64))
                #expect(
                    try await client.item(id: "no-offset.png").photo
                        == PhotoFactsResponse(takenAt: "2023-12-31T23:59:58Z", utcOffset: nil, width: 64, height: 48))
                #expect(try await client.item(id: "offset.heic").photo?.takenAt == "2021-07-08T09:10:11Z")
                let plain = try await client.item(id: shared[0].effectiveID)
                #expect(plain.photo?.takenAt == nil, "the shared photos carry no EXIF")
                #expect(plain.photo?.width == widths[shared[0].effectiveID])

                // A capture-time range: 2022 to 2024 inclusive, i.e. the JPEG, PNG and WebP fixtures.
                let taken = #"{"field":"photo.taken_at","gte":"2022-01-01T00:00:00Z","lt":"2025-01-01T00:00:00Z"}"#
                let expected: Set = ["offset-rotated.jpg", "no-offset.png", "offset.webp"]
                #expect(Set(try await client.listItems(filter: taken, limit: 100).items.map(\.id)) == expected)
                let takenSearch = try await client.search("a photo", k: 10, page: SearchPageOptions(filter: taken))
                #expect(Set(takenSearch.results.map(\.id)) == expected, "a filtered search finds exactly those")
                #expect(takenSearch.results.allSatisfy { $0.photo?.takenAt != nil }, "results carry their facts")
                let anyTime = #"{"field":"photo.taken_at","exists":true}"#
                #expect(try await client.listItems(filter: anyTime, limit: 100).items.count == 4)

                // A width range over the shared photos, checked against their SOF segments.
                let wide = Set(widths.filter { $0.value >= 1000 }.keys)
                try #require(!wide.isEmpty && wide.count < shared.count, "the threshold splits the photos")
                let byWidth = #"{"field":"photo.width","gte":1000}"#
                var listed: [String] = []
                var cursor: String?
                repeat {
                    let page = try await client.listItems(filter: byWidth, limit: 50, cursor: cursor)
                    listed += page.items.map(\.id)
                    cursor = page.nextCursor
                } while cursor != nil
                #expect(Set(listed) == wide)
                #expect(listed.count == wide.count)
                let wideSearch = try await client.search("dog", k: 20, page: SearchPageOptions(filter: byWidth))
                #expect(wideSearch.results.count == min(20, wide.count))
                #expect(wideSearch.results.allSatisfy { wide.contains($0.id) && ($0.photo?.width ?? 0) >= 1000 })

                // The built-in names are reserved, and a test a built-in cannot answer is refused.
                let reserved = try await daemon.adminClient.raw(
                    method: "POST", path: "/v1/items",
                    body: Data(
                        #"{"image_path":"\#(shared[0].imagePath)","captions":{"en":"x"},"fields":{"photo.width":5}}"#
                            .utf8
                    ))
                #expect(reserved.status == 400)
                #expect(String(decoding: reserved.body, as: UTF8.self).contains("invalid_item"))
                let numberOnTime = #"{"field":"photo.taken_at","gte":5}"#
                    .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let refused = try await client.raw(
                    method: "GET", path: "/v1/items?filter=\(numberOnTime)", body: nil)
                #expect(refused.status == 400)
                #expect(String(decoding: refused.body, as: UTF8.self).contains("photo.taken_at"))
            }
        }
    }
}
