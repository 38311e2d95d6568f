import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

@Suite struct ManifestReaderTests {
    /// Writes `text` as `manifest.jsonl` in a fresh temporary directory and returns that directory.
    func manifestDirectory(_ text: String, subdirectory: String = "set") throws -> URL {
        let directory = try ScratchDirectory("manifest").file(subdirectory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: directory.appendingPathComponent("manifest.jsonl"))
        return directory
    }

    func parse(_ text: String) throws(ManifestError) -> [ManifestEntry] {
        try ManifestReader.parse(Data(text.utf8), displayName: "m.jsonl", directory: "/data/photos")
    }

    func parseError(_ text: String) -> ManifestError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func relativeImagePathsAreResolvedAgainstTheManifestDirectoryNotTheWorkingDirectory() throws {
        let directory = try manifestDirectory(#"{"image_path": "img/dog.jpg", "captions": {"en": "a dog"}}"#)
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let parent = directory.deletingLastPathComponent()
        let entries = try ManifestReader.read(contentsOf: "set/manifest.jsonl", currentDirectory: parent.path)
        #expect(entries.map(\.item.imagePath) == [directory.appendingPathComponent("img/dog.jpg").path])

        let fromElsewhere = try ManifestReader.read(
            contentsOf: directory.appendingPathComponent("manifest.jsonl").path, currentDirectory: "/")
        #expect(fromElsewhere == entries, "the same manifest gives the same paths from any working directory")
    }

    @Test func imagePathsAreNormalisedAndAbsolutePathsKept() throws {
        let entries = try parse(
            """
            {"image_path": "../other/./cat.jpg", "captions": {"en": "a cat"}}
            {"image_path": "/srv//x/../pics/bird.jpg", "captions": {"zh": "一只鸟"}}
            """)
        #expect(entries.map(\.item.imagePath) == ["/data/other/cat.jpg", "/srv/pics/bird.jpg"])
    }

    @Test func blankLinesAreSkippedAndEntriesKeepTheirLineNumbers() throws {
        let entries = try parse(
            "\n{\"image_path\": \"a.jpg\", \"captions\": {\"en\": \"a\"}}\n   \n\t\n{\"image_path\": \"b.jpg\", \"captions\": {\"en\": \"b\"}}\n\n"
        )
        #expect(entries.map(\.lineNumber) == [2, 5])
        #expect(entries.map(\.item.imagePath) == ["/data/photos/a.jpg", "/data/photos/b.jpg"])
    }

    @Test func windowsLineEndingsAndAByteOrderMarkAreAccepted() throws {
        let text =
            "\u{FEFF}{\"image_path\": \"a.jpg\", \"captions\": {\"en\": \"a\"}}\r\n{\"image_path\": \"b.jpg\", \"captions\": {\"en\": \"b\"}}\r\n"
        #expect(try parse(text).map(\.lineNumber) == [1, 2])
    }

    @Test func idAndCaptionsArePassedThroughUnchanged() throws {
        let entries = try parse(#"{"id": "狗/1", "image_path": "dog.jpg", "captions": {"zh": "一只小狗", "en": "a puppy"}}"#)
        #expect(entries.first?.item.id == "狗/1")
        #expect(entries.first?.item.captions == ["zh": "一只小狗", "en": "a puppy"])
        #expect(entries.first?.effectiveID == "狗/1")
    }

    @Test func itemFieldsArePassedThroughAndCheckedBeforeSending() throws {
        let entries = try parse(
            #"{"image_path": "dog.jpg", "captions": {"en": "a dog"}, "fields": {"owner": "u42", "tags": ["beach"], "n": 3}}"#
        )
        #expect(
            entries.first?.item.fields == [
                "owner": .string("u42"), "tags": .array([.string("beach")]), "n": .number(3),
            ])
        let nested = parseError(#"{"image_path": "dog.jpg", "captions": {"en": "a dog"}, "fields": {"a": {"b": 1}}}"#)
        #expect(nested?.line == 1)
        #expect(nested?.message.contains("fields.a is an object") == true)
        #expect(parseError(#"{"image_path": "dog.jpg", "captions": {"en": "a dog"}, "fields": [1]}"#) != nil)
    }

    @Test func captionsAreOptionalForImageOnlyItems() throws {
        let entries = try parse(
            """
            {"image_path": "a.jpg"}
            {"image_path": "b.jpg", "captions": {}}
            {"image_path": "c.jpg", "captions": null}
            """)
        #expect(entries.map(\.item.captions) == [[:], [:], [:]])
        #expect(entries.map(\.item.imagePath) == ["/data/photos/a.jpg", "/data/photos/b.jpg", "/data/photos/c.jpg"])
    }

    @Test func anItemWithoutIdIsKnownByItsAbsoluteImagePath() throws {
        let entries = try parse(#"{"image_path": "dog.jpg", "captions": {"en": "a dog"}}"#)
        #expect(entries.first?.item.id == nil)
        #expect(entries.first?.effectiveID == "/data/photos/dog.jpg")
    }

    @Test func aMalformedLineIsReportedWithFileAndLineNumber() {
        let error = parseError(
            """
            {"image_path": "a.jpg", "captions": {"en": "a"}}

            {"image_path": "b.jpg", "captions": {"en": "b"}
            """)
        #expect(error?.file == "m.jsonl")
        #expect(error?.line == 3)
        #expect(error?.description.hasPrefix("m.jsonl:3: not valid JSON") == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        (#"{"image_path": "a.jpg", "captions": "a dog"}"#, "captions must be an object"),
        (#"{"image_path": "a.jpg", "captions": {"en": 3}}"#, "captions.en must be a string"),
        (#"{"image_path": "a.jpg", "captions": {"en": "  "}}"#, "captions.en is empty"),
        (#"{"captions": {"en": "a"}}"#, "missing field image_path"),
        (#"{"image_path": 5, "captions": {"en": "a"}}"#, "image_path must be a string"),
        (#"{"image_path": "", "captions": {"en": "a"}}"#, "image_path is empty"),
        (#"{"id": 7, "image_path": "a.jpg", "captions": {"en": "a"}}"#, "id must be a string"),
        (#"{"id": " ", "image_path": "a.jpg", "captions": {"en": "a"}}"#, "id is empty"),
        (#"["a.jpg"]"#, "expected a JSON object"),
    ])
    func anIncompleteItemIsRefusedWithItsLineNumber(line: String, expected: String) {
        let error = parseError("{\"image_path\": \"ok.jpg\", \"captions\": {\"en\": \"ok\"}}\n" + line)
        #expect(error?.line == 2)
        #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
    }

    @Test func anUnknownFieldIsRefusedLikeTheDaemonRefusesIt() {
        let error = parseError(#"{"image_path": "a.jpg", "captions": {"en": "a"}, "caption": "typo"}"#)
        #expect(error?.line == 1)
        #expect(error?.message.contains("unknown field \"caption\"") == true, "\(String(describing: error))")
    }

    @Test func twoLinesWithTheSameIdAreRefusedNamingBothLines() {
        let explicit = parseError(
            """
            {"id": "x", "image_path": "a.jpg", "captions": {"en": "a"}}
            {"id": "x", "image_path": "b.jpg", "captions": {"en": "b"}}
            """)
        #expect(explicit?.line == 2)
        #expect(explicit?.message.contains("line 1") == true)

        let samePath = parseError(
            """
            {"image_path": "a.jpg", "captions": {"en": "a"}}
            {"image_path": "./a.jpg", "captions": {"en": "b"}}
            """)
        #expect(samePath?.line == 2, "the same image reached by two spellings is the same id")
    }

    @Test func invalidUTF8IsReportedWithItsLineNumber() {
        var data = Data("{\"image_path\": \"a.jpg\", \"captions\": {\"en\": \"a\"}}\n".utf8)
        data.append(contentsOf: [0x7B, 0xFF, 0xFE, 0x7D, 0x0A])
        #expect(throws: ManifestError(file: "m.jsonl", line: 2, message: "not valid UTF-8")) {
            try ManifestReader.parse(data, displayName: "m.jsonl", directory: "/")
        }
    }

    @Test func aMissingManifestIsReportedWithoutALineNumber() {
        do {
            _ = try ManifestReader.read(contentsOf: "/nonexistent-\(UUID().uuidString)/m.jsonl")
            Issue.record("reading a missing manifest succeeded")
        } catch {
            #expect(error.line == nil)
            #expect(error.message.contains("cannot read"))
        }
    }

    /// `/dev/null` and pipes are read like files: an empty manifest (which the CLI reports as holding no items),
    /// not "You don't have permission"; a directory is named as such.
    @Test func devicesReadAsFilesAndADirectoryIsNamed() throws {
        #expect(try ManifestReader.read(contentsOf: "/dev/null").isEmpty)
        do {
            _ = try ManifestReader.read(contentsOf: "/tmp")
            Issue.record("reading a directory as a manifest succeeded")
        } catch {
            #expect(error.message.contains("directory"), "\(error.message)")
        }
    }
}
