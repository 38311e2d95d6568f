import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// `glimpse ingest --dir`'s folder walk: which files are photos, their ids, sidecar captions, symlinks, the id rule.
@Suite struct PhotoFolderScannerTests {
    private func write(_ text: String, to path: URL) throws {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: path)
    }

    @Test func walksNestedFoldersKeepsRecognisedExtensionsInAnyCaseAndUsesRelativePathsAsIDs() throws {
        try withScratchDirectory("scan-walk") { directory in
            let photos = directory.appendingPathComponent("photos")
            for name in [
                "a.jpg", "b.JPEG", "c.png", "d.WebP", "e.heic", "f.HEIF", "g.avif", "2024/beach/h.jpg",
                "notes.txt", "raw.cr2", "noextension", ".hidden.jpg", ".thumbnails/t.jpg", "jpg",
            ] {
                try write("x", to: photos.appendingPathComponent(name))
            }
            try FileManager.default.createDirectory(
                at: photos.appendingPathComponent("folder.jpg"), withIntermediateDirectories: true)

            let scan = try PhotoFolderScanner.scan(photos.path)
            let root = try #require(PhotoFolderScannerTestsSupport.realPath(photos.path))
            #expect(scan.root == root)
            #expect(
                scan.photos.map(\.relativePath) == [
                    "2024/beach/h.jpg", "a.jpg", "b.JPEG", "c.png", "d.WebP", "e.heic", "f.HEIF", "g.avif",
                ])
            #expect(scan.photos.allSatisfy { $0.item.id == $0.relativePath })
            #expect(scan.photos.allSatisfy { $0.item.imagePath == root + "/" + $0.relativePath })
            #expect(scan.photos.allSatisfy { $0.item.captions.isEmpty && $0.item.fields == nil })
            #expect(scan.problems.isEmpty && scan.warnings.isEmpty)
            #expect(scan.entries.map(\.lineNumber) == Array(1...8))
        }
    }

    @Test func readsCaptionsAndFieldsFromTheSidecarBesideEachPhoto() throws {
        try withScratchDirectory("scan-sidecar") { directory in
            let photos = directory.appendingPathComponent("photos")
            try write("x", to: photos.appendingPathComponent("dog.jpg"))
            try write(
                #"{"captions": {"en": "a dog", "zh": "一只狗"}, "fields": {"album": "2024"}}"#,
                to: photos.appendingPathComponent("dog.jpg.json"))
            try write("x", to: photos.appendingPathComponent("cat.png"))
            try write(#"{"captions": {"en": "a cat"}}"#, to: photos.appendingPathComponent("cat.png.json"))
            // A sidecar named without the photo's extension belongs to no photo.
            try write("x", to: photos.appendingPathComponent("fish.jpg"))
            try write(#"{"captions": {"en": "a fish"}}"#, to: photos.appendingPathComponent("fish.json"))

            let scan = try PhotoFolderScanner.scan(photos.path)
            let byID = Dictionary(uniqueKeysWithValues: scan.photos.map { ($0.relativePath, $0) })
            #expect(byID["dog.jpg"]?.item.captions == ["en": "a dog", "zh": "一只狗"])
            #expect(byID["dog.jpg"]?.item.fields == ["album": .string("2024")])
            #expect(byID["dog.jpg"]?.sidecarPath == scan.root + "/dog.jpg.json")
            #expect(byID["cat.png"]?.item.captions == ["en": "a cat"])
            #expect(byID["fish.jpg"]?.item.captions == [:])
            #expect(byID["fish.jpg"]?.sidecarPath == nil)
            #expect(scan.photos.count == 3)
        }
    }

    @Test func aMalformedSidecarFailsOnlyItsPhotoNamingTheProblem() throws {
        try withScratchDirectory("scan-bad-sidecar") { directory in
            let photos = directory.appendingPathComponent("photos")
            let cases = [
                "typo.jpg": #"{"caption": {"en": "a dog"}}"#,
                "notjson.jpg": "{not json",
                "array.jpg": #"["a dog"]"#,
                "number.jpg": #"{"captions": {"en": 3}}"#,
                "blank.jpg": #"{"captions": {"en": "  "}}"#,
                "fields.jpg": #"{"fields": {"album": {"nested": true}}}"#,
            ]
            for (name, sidecar) in cases {
                try write("x", to: photos.appendingPathComponent(name))
                try write(sidecar, to: photos.appendingPathComponent(name + ".json"))
            }
            try write("x", to: photos.appendingPathComponent("fine.jpg"))

            let scan = try PhotoFolderScanner.scan(photos.path)
            #expect(scan.photos.map(\.relativePath) == ["fine.jpg"])
            let problems = Dictionary(uniqueKeysWithValues: scan.problems.map { ($0.relativePath, $0.message) })
            #expect(Set(problems.keys) == Set(cases.keys))
            #expect(problems["typo.jpg"]?.contains("unknown field \"caption\"") == true, "\(problems)")
            #expect(problems["notjson.jpg"]?.contains("not valid JSON") == true)
            #expect(problems["array.jpg"]?.contains("expected a JSON object") == true)
            #expect(problems["number.jpg"]?.contains("captions.en must be a string") == true)
            #expect(problems["blank.jpg"]?.contains("captions.en is empty") == true)
            #expect(problems["fields.jpg"]?.contains("fields.album") == true, "\(problems)")
            #expect(problems.values.allSatisfy { $0.hasPrefix("sidecar ") })
        }
    }

    @Test func symlinksInsideTheFolderAreKeptAndThoseLeadingOutsideAreSkippedWithAWarning() throws {
        try withScratchDirectory("scan-links") { directory in
            let photos = directory.appendingPathComponent("photos")
            let outside = directory.appendingPathComponent("secret.jpg")
            try write("x", to: outside)
            try write("x", to: photos.appendingPathComponent("real/inside.jpg"))
            let manager = FileManager.default
            try manager.createSymbolicLink(
                atPath: photos.appendingPathComponent("alias.jpg").path, withDestinationPath: "real/inside.jpg")
            try manager.createSymbolicLink(
                atPath: photos.appendingPathComponent("escape.jpg").path, withDestinationPath: outside.path)
            try manager.createSymbolicLink(
                atPath: photos.appendingPathComponent("relative-escape.jpg").path,
                withDestinationPath: "../secret.jpg")
            try manager.createSymbolicLink(
                atPath: photos.appendingPathComponent("dangling.jpg").path, withDestinationPath: "nowhere.jpg")
            // A directory link outside the folder is not walked into.
            try manager.createSymbolicLink(
                atPath: photos.appendingPathComponent("elsewhere").path, withDestinationPath: directory.path)

            let scan = try PhotoFolderScanner.scan(photos.path)
            #expect(scan.photos.map(\.relativePath) == ["alias.jpg", "real/inside.jpg"])
            #expect(scan.photos.first?.item.imagePath == scan.root + "/alias.jpg")
            #expect(scan.warnings.count == 3, "\(scan.warnings)")
            #expect(scan.warnings.contains { $0.hasPrefix("escape.jpg: skipped, a symlink leading outside") })
            #expect(scan.warnings.contains { $0.hasPrefix("relative-escape.jpg: skipped, a symlink leading outside") })
            #expect(scan.warnings.contains { $0.hasPrefix("dangling.jpg: skipped, a symlink to nothing") })
            #expect(!scan.photos.contains { $0.item.imagePath.contains("secret") })
        }
    }

    @Test func aSidecarLinkedFromOutsideTheFolderFailsItsPhoto() throws {
        try withScratchDirectory("scan-sidecar-link") { directory in
            let photos = directory.appendingPathComponent("photos")
            try write(#"{"captions": {"en": "outside"}}"#, to: directory.appendingPathComponent("outside.json"))
            try write("x", to: photos.appendingPathComponent("dog.jpg"))
            try FileManager.default.createSymbolicLink(
                atPath: photos.appendingPathComponent("dog.jpg.json").path,
                withDestinationPath: directory.appendingPathComponent("outside.json").path)
            let scan = try PhotoFolderScanner.scan(photos.path)
            #expect(scan.photos.isEmpty)
            #expect(scan.problems.first?.message.contains("symlink leading outside") == true, "\(scan.problems)")
        }
    }

    @Test func aPathTheIDRuleRefusesIsAFailedPhoto() throws {
        try withScratchDirectory("scan-id-rule") { directory in
            let photos = directory.appendingPathComponent("photos")
            try write("x", to: photos.appendingPathComponent("tab\there.jpg"))
            try write("x", to: photos.appendingPathComponent("fine.jpg"))
            let scan = try PhotoFolderScanner.scan(photos.path)
            #expect(scan.photos.map(\.relativePath) == ["fine.jpg"])
            #expect(scan.problems.count == 1)
            #expect(scan.problems.first?.relativePath == "tab\there.jpg")
            #expect(scan.problems.first?.message.contains("cannot be an item id") == true)
            #expect(scan.problems.first?.message.contains("U+0009") == true, "\(scan.problems)")
        }
    }

    @Test func aMissingFolderOrAFileIsRefusedWhole() throws {
        try withScratchDirectory("scan-missing") { directory in
            #expect(throws: FolderScanError.self) {
                try PhotoFolderScanner.scan(directory.appendingPathComponent("nope").path)
            }
            let file = directory.appendingPathComponent("file.jpg")
            try Data("x".utf8).write(to: file)
            do throws(FolderScanError) {
                _ = try PhotoFolderScanner.scan(file.path)
                Issue.record("a file is not a folder")
            } catch {
                #expect(error.message == "not a folder")
            }
        }
    }

    @Test func relativeFolderPathsAreTakenAgainstTheCurrentDirectory() throws {
        try withScratchDirectory("scan-relative") { directory in
            try write("x", to: directory.appendingPathComponent("photos/a.jpg"))
            let scan = try PhotoFolderScanner.scan("photos", currentDirectory: directory.path)
            #expect(scan.photos.map(\.relativePath) == ["a.jpg"])
        }
    }
}

@Suite struct FolderPruneTests {
    @Test func onlyItemsFromTheFolderWithTheirRelativePathAsIDAndAGoneFileArePruned() throws {
        try withScratchDirectory("prune") { directory in
            let root = try #require(PhotoFolderScannerTestsSupport.realPath(directory.path))
            try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/present.jpg"))
            func item(_ id: String, _ path: String) -> ItemResponse {
                ItemResponse(
                    id: id, imagePath: path, contentHash: "h", captions: [:], vectors: 1, createdAt: "", updatedAt: "")
            }
            #expect(FolderPrune.isGone(item("gone.jpg", root + "/gone.jpg"), root: root))
            #expect(FolderPrune.isGone(item("sub/gone.jpg", root + "/sub/gone.jpg"), root: root))
            #expect(!FolderPrune.isGone(item("present.jpg", root + "/present.jpg"), root: root))
            // Same file name, but ingested from a manifest under another id: not this folder's to prune.
            #expect(!FolderPrune.isGone(item("my-own-id", root + "/gone.jpg"), root: root))
            // A sibling folder whose name starts with this one's.
            #expect(!FolderPrune.isGone(item("gone.jpg", root + "-other/gone.jpg"), root: root))
            #expect(!FolderPrune.isGone(item("x/gone.jpg", root + "x/gone.jpg"), root: root))
        }
    }
}

enum PhotoFolderScannerTestsSupport {
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
