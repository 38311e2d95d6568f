import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseClient
import GlimpseTestSupport
import Testing

/// The walking skeleton end to end: the real daemon, the real model, the real CLI and the shared photos, each
/// captioned in ONE language (half the labels Chinese, half English), queried in both languages over the socket.
@Suite(.serialized) struct CrossLingualSearchTests {
    struct LabelledPhoto {
        let id: String
        let english: String
        let chinese: String
        let captionLanguage: String
    }

    @Test func chineseAndEnglishQueriesFindThePhotosWhateverTheCaptionLanguage() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("e2e") { directory in
            let labelsOut = directory.appendingPathComponent("labels.tsv")
            let manifest = try SharedPhotoManifest.write(
                in: directory, ["--mode", "alternate", "--labels-out", labelsOut.path])
            let photos = try Self.readLabels(labelsOut)
            #expect(
                Set(photos.map(\.captionLanguage)) == ["en", "zh"],
                "each photo is captioned in one language, both languages used")

            try await withDaemon(in: directory) { daemon in
                // Ingest through the CLI, as a cron job would.
                let glimpse = TestEnvironment.binaries.appendingPathComponent("glimpse")
                let ingest = try runCommand(glimpse, daemon.socketArguments + ["ingest", manifest.path])
                #expect(ingest.status == 0, "glimpse ingest failed:\n\(ingest.output)\n\(daemon.log)")

                let client = daemon.client
                let status = try await client.status()
                #expect(status.catalog.items == photos.count)
                #expect(status.catalog.vectors == photos.count, "one caption, so one vector, per photo")
                #expect(status.indexes.first?.vectors == photos.count)

                // Status must agree with SQLite itself.
                let catalog = try Catalog(
                    CatalogConfiguration(path: directory.appendingPathComponent("data/catalog.sqlite3").path))
                let counts = try catalog.counts()
                #expect(counts.items == status.catalog.items)
                #expect(counts.captions == status.catalog.captions)
                #expect(counts.liveVectors == status.catalog.vectors)

                // Every label as a query in both languages; a label passes a language if a photo of it is in the top 5.
                let byLabel = Dictionary(grouping: photos, by: \.english)
                var passingBoth: [String] = []
                var report: [String] = []
                for (label, members) in byLabel.sorted(by: { $0.key < $1.key }) {
                    let ids = Set(members.map(\.id))
                    let english = try await client.search(label, k: 5, ef: nil).results.map(\.id)
                    let chinese = try await client.search(members[0].chinese, k: 5, ef: nil).results.map(\.id)
                    let englishHit = english.contains(where: ids.contains)
                    let chineseHit = chinese.contains(where: ids.contains)
                    if englishHit && chineseHit { passingBoth.append(label) }
                    report.append(
                        "\(label)/\(members[0].chinese) [captions \(members[0].captionLanguage)]: en \(englishHit ? "✓" : "✗") zh \(chineseHit ? "✓" : "✗")"
                    )
                }
                print(report.joined(separator: "\n"))
                print("labels found in the top 5 in both languages: \(passingBoth.count)/\(byLabel.count)")
                #expect(passingBoth.contains("dog"), "狗 and dog must both find the dog photo")
                #expect(
                    passingBoth.filter { $0 != "dog" }.count >= 10, "at least 10 other labels found in both languages")

                let dogByChinese = try await client.search("狗", k: 5, ef: nil)
                let dogByEnglish = try await client.search("dog", k: 5, ef: nil)
                let dogPhotos = Set(byLabel["dog"]!.map(\.id))
                #expect(dogByChinese.results.contains { dogPhotos.contains($0.id) })
                #expect(dogByEnglish.results.contains { dogPhotos.contains($0.id) })

                // The same manifest again adds nothing.
                let again = try runCommand(glimpse, daemon.socketArguments + ["ingest", manifest.path])
                #expect(again.status == 0, "\(again.output)")
                #expect(try await client.status().catalog.items == photos.count)
                #expect(try await client.status().catalog.vectors == photos.count)

                // The query socket cannot change the catalog, even when the CLI is pointed at it for an admin command.
                let sneaky = try runCommand(
                    glimpse, ["--admin-socket", daemon.socketPath, "delete", try #require(dogPhotos.sorted().first)])
                #expect(sneaky.status == 2, "a refused request: \(sneaky.output)")
                #expect(
                    sneaky.output.contains("admin_socket_required") || sneaky.output.contains("admin socket"),
                    "\(sneaky.output)")
                #expect(
                    try await client.status().catalog.items == photos.count,
                    "nothing was deleted through the query socket")

                // Deleting through the CLI: the dog photos never come back, in either language.
                for id in dogPhotos.sorted() {
                    let deleted = try runCommand(glimpse, daemon.socketArguments + ["delete", id])
                    #expect(deleted.status == 0, "\(deleted.output)")
                }
                let missing = try runCommand(glimpse, daemon.socketArguments + ["delete", "no/such-item.jpg"])
                #expect(missing.status == 2, "deleting an unknown id is a refused request: \(missing.output)")
                for query in ["狗", "dog"] {
                    let ids = try await client.search(query, k: 20, ef: nil).results.map(\.id)
                    #expect(!ids.contains(where: dogPhotos.contains), "\(query) after delete: \(ids)")
                }
                #expect(try await client.status().catalog.items == photos.count - dogPhotos.count)

                // A rebuild through the CLI compacts the deleted vectors away and changes no search result.
                let catBefore = try await client.search("猫", k: 5, ef: nil).results.map(\.id)
                let rebuilt = try runCommand(glimpse, daemon.socketArguments + ["rebuild"])
                #expect(rebuilt.status == 0, "\(rebuilt.output)\n\(daemon.log)")
                #expect(try await client.status().indexes.first?.vectors == photos.count - dogPhotos.count)
                #expect(try await client.search("猫", k: 5, ef: nil).results.map(\.id) == catBefore)
                let badRebuild = try await daemon.adminClient.raw(
                    method: "POST", path: "/v1/admin/rebuild", body: Data(#"{"m": 1}"#.utf8))
                #expect(badRebuild.status == 400)

                #expect(await daemon.terminate() == 0, "SIGTERM is a clean shutdown:\n\(daemon.log)")
                #expect(
                    !FileManager.default.fileExists(atPath: daemon.socketPath), "the socket file is removed on shutdown"
                )
            }
        }
    }

    static func readLabels(_ url: URL) throws -> [LabelledPhoto] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).compactMap { line -> LabelledPhoto? in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 4, fields[0] != "id" else { return nil }
            return LabelledPhoto(id: fields[0], english: fields[1], chinese: fields[2], captionLanguage: fields[3])
        }
    }
}
