import Foundation
import GlimpseAPI
import Testing

@testable import GlimpseService

@Suite struct ImageRootsTests {
    @Test func onlyPathsSpeltUnderARootAreAllowed() throws {
        let roots = try ImageRoots(["/srv/photos/", "/home/alice/pictures"])
        #expect(roots.paths == ["/srv/photos", "/home/alice/pictures"])
        #expect(roots.allowsSpelling("/srv/photos/dog.jpg"))
        #expect(roots.allowsSpelling("/home/alice/pictures/2024/cat.png"))
        #expect(!roots.allowsSpelling("/srv/photos/../secrets/key.jpg"), "no .. escapes")
        #expect(!roots.allowsSpelling("/srv/photos/./dog.jpg"))
        #expect(!roots.allowsSpelling("/srv/photos-private/dog.jpg"), "a shared name prefix is not a parent directory")
        #expect(!roots.allowsSpelling("/etc/shadow"))
        #expect(ImageRoots.anywhere.allowsSpelling("/etc/anything.jpg"))
        #expect(!ImageRoots.anywhere.allowsSpelling("/srv/../etc/x.jpg"))
    }

    @Test func rootsMustBeAbsoluteAndPlain() {
        #expect(throws: ServiceError.self) { try ImageRoots([]) }
        #expect(throws: ServiceError.self) { try ImageRoots(["photos"]) }
        #expect(throws: ServiceError.self) { try ImageRoots(["/srv/../etc"]) }
    }

    @Test func aPathOutsideTheRootsIsRefusedAndASymlinkOutFailsOnlyItsItem() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let root = fixture.directory.appendingPathComponent("images").path
        let outside = fixture.directory.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let secret = outside.appendingPathComponent("secret.jpg")
        try Data("not for glimpse".utf8).write(to: secret)
        let link = fixture.directory.appendingPathComponent("images/innocent.jpg").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: secret.path)
        let inside = try fixture.image("owl.jpg")

        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.imageRoots = try ImageRoots([root])
        let service = try fixture.makeService(configuration: configuration)
        try await withRunningService(service) { service in
            do {
                _ = try service.ingest([IngestItem(imagePath: secret.path, captions: ["en": "a secret"])])
                Issue.record("a path outside the roots must be refused")
            } catch let error as ServiceError {
                #expect(error.code == "path_not_allowed")
                #expect(error.message.contains(root))
            }
            let accepted = try service.ingest([
                IngestItem(id: "link", imagePath: link, captions: ["en": "an innocent picture"]),
                IngestItem(id: "owl", imagePath: inside, captions: ["en": "an owl"]),
            ])
            let job = try await waitForJob(accepted.jobID, in: service)
            #expect(job.inserted == 1)
            #expect(job.failed == 1)
            #expect(job.errors.first?.id == "link")
            #expect(job.errors.first?.message.contains("symlink") == true)
            #expect(try service.status().catalog.items == 1)
        }
    }
}
