import Foundation
import GlimpseAPI
import GlimpseTestSupport
import Testing

@testable import GlimpseService

/// Issue 12.4: a snapshot is used only with the catalog state it was made from; anything else is rebuilt.
/// `snapshotWatermark == 0` after a start means the snapshot was not used (the index was filled from the catalog).
@Suite struct SnapshotStampTests {
    private static let catalogFiles = ["catalog.sqlite3", "catalog.sqlite3-wal", "catalog.sqlite3-shm"]

    /// Runs a service over `fixture` just for `body`; the catalog is closed when it returns.
    private func session(_ fixture: ServiceFixture, _ body: (GlimpseService) async throws -> Void) async throws {
        let service = try fixture.makeService()
        try await withRunningService(service, body)
    }

    private func copyCatalog(from source: URL, to destination: URL) throws {
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        for name in Self.catalogFiles {
            let target = destination.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: target)
            if FileManager.default.fileExists(atPath: source.appendingPathComponent(name).path) {
                try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: target)
            }
        }
    }

    @Test func aRestartWithTheSameCatalogUsesTheSnapshot() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        try await session(fixture) { try await ingestNamed(["ant", "bee"], into: $0, fixture: fixture) }
        let service = try fixture.makeService()
        #expect(service.spaces[0].snapshotWatermark == 2, "the stamped snapshot is loaded")
        #expect(service.spaces[0].index.count == 2)
    }

    @Test func anOlderCatalogRestoredUnderANewerSnapshotIsRebuiltAndIngestsKeepWorking() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let backup = fixture.directory.appendingPathComponent("backup")
        try await session(fixture) { try await ingestNamed(["ant", "bee"], into: $0, fixture: fixture) }
        try copyCatalog(from: fixture.dataDirectory, to: backup)
        try await session(fixture) { try await ingestNamed(["cat", "dog"], into: $0, fixture: fixture) }
        try copyCatalog(from: backup, to: fixture.dataDirectory)

        let service = try fixture.makeService()
        #expect(service.spaces[0].snapshotWatermark == 0, "the newer snapshot is not trusted")
        #expect(service.spaces[0].index.count == 2, "only the restored catalog's vectors")
        try await withRunningService(service) { service in
            #expect(try await service.search("ant", k: 1, ef: nil).results.first?.id == "ant")
            #expect(try await service.search("cat", k: 5, ef: nil).results.allSatisfy { $0.id != "cat" })
            // The restored catalog hands out vector ids the newer snapshot held; they must go in.
            try await ingestNamed(["eel", "fox"], into: service, fixture: fixture)
            #expect(try await service.search("eel", k: 1, ef: nil).results.first?.id == "eel")
        }
    }

    @Test func aSnapshotCopiedFromAnotherDataDirectoryIsRebuilt() async throws {
        let mine = try ServiceFixture()
        let other = try ServiceFixture()
        defer {
            mine.remove()
            other.remove()
        }
        // Same number of vectors, so the ids 1…3 and the watermark agree: only the stamp tells them apart.
        try await session(mine) { try await ingestNamed(["ant", "bee", "cat"], into: $0, fixture: mine) }
        try await session(other) { try await ingestNamed(["yak", "elk", "gnu"], into: $0, fixture: other) }
        let indexes = mine.dataDirectory.appendingPathComponent("indexes")
        try FileManager.default.removeItem(at: indexes)
        try FileManager.default.copyItem(at: other.dataDirectory.appendingPathComponent("indexes"), to: indexes)

        let service = try mine.makeService()
        #expect(service.spaces[0].snapshotWatermark == 0, "another catalog's snapshot is not trusted")
        try await withRunningService(service) { service in
            for name in ["ant", "bee", "cat"] {
                #expect(try await service.search(name, k: 1, ef: nil).results.first?.id == name)
            }
            try await ingestNamed(["dog"], into: service, fixture: mine)
            #expect(try await service.search("dog", k: 1, ef: nil).results.first?.id == "dog")
        }
        // The rebuilt index was stamped for this catalog at shutdown: the next start uses it.
        #expect(try mine.makeService().spaces[0].snapshotWatermark == 4)
    }

    @Test func aSnapshotFileCopiedOverTheStampedOneOrWithoutAStampIsRebuilt() async throws {
        let mine = try ServiceFixture()
        let other = try ServiceFixture()
        defer {
            mine.remove()
            other.remove()
        }
        try await session(mine) { try await ingestNamed(["ant", "bee", "cat"], into: $0, fixture: mine) }
        try await session(other) { try await ingestNamed(["yak", "elk", "gnu"], into: $0, fixture: other) }
        // Only the .hnsw file: this directory's own stamp stays, with the same catalog, watermark and vector rows.
        let snapshot = mine.dataDirectory.appendingPathComponent("indexes/\(TestOnlyHashingEmbedder().spaceName).hnsw")
        try FileManager.default.removeItem(at: snapshot)
        try FileManager.default.copyItem(
            at: other.dataDirectory.appendingPathComponent("indexes/\(TestOnlyHashingEmbedder().spaceName).hnsw"),
            to: snapshot)
        #expect(try mine.makeService().spaces[0].snapshotWatermark == 0)

        // A snapshot with no stamp at all (from before stamps, or copied alone) is rebuilt too.
        try await session(mine) { _ in }
        try FileManager.default.removeItem(at: SnapshotStamp.url(for: snapshot))
        let service = try mine.makeService()
        #expect(service.spaces[0].snapshotWatermark == 0)
        #expect(try await service.search("bee", k: 1, ef: nil).results.first?.id == "bee")
    }
}
