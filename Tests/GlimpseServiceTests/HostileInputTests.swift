import Foundation
import GlimpseAPI
import Testing

@testable import GlimpseService

/// Issue 12.1 and 12.5: control characters in ids and captions are refused (never cut off at a NUL, which SQLite's
/// C strings would do), and an item's image file is never read past `image_max_file_bytes`.
@Suite struct HostileInputTests {
    private func refusal(_ body: () throws -> Void) -> ServiceError? {
        do {
            try body()
            return nil
        } catch let error as ServiceError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func aNULInAnIdIsRefusedAndNeverReachesTheItemItWouldTruncateTo() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        try await withRunningService(service) { service in
            try await ingestNamed(["victim"], into: service, fixture: fixture)
            let before = try service.item(id: "victim")

            let attack = IngestItem(
                id: "victim\u{0}attacker", imagePath: try fixture.image("attacker.jpg"), captions: ["en": "pwned"])
            let ingestError = refusal { _ = try service.ingest([attack]) }
            #expect(ingestError?.kind == .invalidRequest)
            #expect(ingestError?.errorCode == .invalidItem)
            #expect(ingestError?.message.contains("items[0].id") == true, "names the field")
            #expect(ingestError?.message.contains("U+0000") == true)

            let deleteError = refusal { _ = try service.delete(id: "victim\u{0}xyz") }
            #expect(deleteError?.kind == .invalidRequest)
            #expect(deleteError?.errorCode == .invalidID)
            let lookupError = refusal { _ = try service.item(id: "victim\u{0}xyz") }
            #expect(lookupError?.errorCode == .invalidID)

            #expect(try service.item(id: "victim") == before, "victim is untouched")
            #expect(try service.status().catalog.items == 1)
        }
    }

    @Test func controlCharactersInIdsAreRefusedWhateverTheirPlace() throws {
        for id in ["\u{1}", "a\u{1B}b", "tab\there", "line\nbreak", "del\u{7F}", "c1\u{85}", "\u{0}"] {
            let problem = IngestItem.idProblem(id)
            #expect(problem?.contains("control character") == true, "\(id.debugDescription): \(problem ?? "nil")")
        }
        #expect(IngestItem.idProblem("ordinary id / with spaces é 猫") == nil)
    }

    @Test func captionsKeepTabsAndLineBreaksButRefuseOtherControlCharacters() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        try await withRunningService(service) { service in
            for caption in ["do\u{0}g", "bell\u{7}", "esc\u{1B}[31m", "nel\u{85}"] {
                let item = IngestItem(id: "c", imagePath: try fixture.image("c.jpg"), captions: ["en": caption])
                let error = refusal { _ = try service.ingest([item]) }
                #expect(error?.errorCode == .invalidItem, "\(caption.debugDescription)")
                #expect(error?.message.contains("items[0].captions.en") == true, "\(error?.message ?? "")")
            }
            let prose = "a dog\ton the grass\nin the sun\r\n"
            let item = IngestItem(id: "prose", imagePath: try fixture.image("prose.jpg"), captions: ["en": prose])
            let job = try await waitForJob(try service.ingest([item]).jobID, in: service)
            #expect(job.inserted == 1)
            #expect(try service.item(id: "prose").captions["en"] == prose, "stored exactly, not cut")
        }
    }

    /// A sparse file far over the cap costs nothing to create and would cost gigabytes to read: the item fails with
    /// the size code from the file's size alone, without an image space (where bytes are only hashed).
    @Test func anOversizedImageFileFailsItsItemWithTheSizeCodeWithoutBeingRead() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.imageDecodingLimits.maxFileBytes = 64 << 10
        let service = try fixture.makeService(configuration: configuration)
        let huge = fixture.directory.appendingPathComponent("images/huge.jpg").path
        #expect(FileManager.default.createFile(atPath: huge, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: huge))
        try handle.truncate(atOffset: 4 << 30)  // 4 GiB, sparse
        try handle.close()
        try await withRunningService(service) { service in
            let items = [
                IngestItem(id: "huge", imagePath: huge, captions: ["en": "a huge file"]),
                IngestItem(id: "small", imagePath: try fixture.image("small.jpg"), captions: ["en": "a small file"]),
            ]
            let job = try await waitForJob(try service.ingest(items).jobID, in: service)
            #expect(job.inserted == 1)
            #expect(job.failed == 1)
            let error = try #require(job.errors.first)
            #expect(error.id == "huge")
            #expect(error.message.hasPrefix("image_file_too_large:"), "\(error.message)")
            #expect(error.message.contains("4294967296"))
        }
    }

    @Test func imageFilesAreReadInBoundedChunksAndHashedAsOneWholeWouldBe() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let path = fixture.directory.appendingPathComponent("images/big.bin").path
        let bytes = Data((0..<(ImageFileReader.chunkBytes * 2 + 123)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: URL(fileURLWithPath: path))
        var chunks: [Int] = []
        var hasher = ContentHasher(imagePath: path)
        try ImageFileReader.stream(path, imageRoots: .anywhere, maxBytes: bytes.count) { chunk in
            chunks.append(chunk.count)
            hasher.update(imageBytes: chunk)
        }
        #expect(chunks.allSatisfy { $0 <= ImageFileReader.chunkBytes })
        #expect(chunks.reduce(0, +) == bytes.count)
        let captions = ["en": "x", "fr": "y"]
        #expect(
            hasher.finish(captions: captions)
                == ContentHasher.hash(imagePath: path, imageBytes: bytes, captions: captions))
        // One byte over the cap is refused, read whole or streamed.
        let error = refusal { _ = try ImageFileReader.read(path, imageRoots: .anywhere, maxBytes: bytes.count - 1) }
        #expect(error?.errorCode == .imageFileTooLarge)
        // A FIFO would block the worker on open: refused before it is opened.
        let fifo = fixture.directory.appendingPathComponent("images/fifo.jpg").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let fifoError = refusal { _ = try ImageFileReader.read(fifo, imageRoots: .anywhere, maxBytes: 1 << 20) }
        #expect(fifoError?.errorCode == .imageNotAFile)
    }
}
