import GlimpseAPI
import Testing

@testable import glimpse

@Suite struct TextTableTests {
    @Test func chineseCharactersTakeTwoColumnsAndTheColumnsLineUp() {
        let table = TextTable.render(
            header: ["ID", "CAPTION", "LANG"],
            rows: [["a", "一只狗在草地上", "zh"], ["bb", "a dog on grass", "en"], ["c", "犬，走る", "ja"]])
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        // The third column starts at the same terminal column on every line.
        let starts = lines.map { line in
            let prefix = line[..<line.range(of: "  ", options: .backwards)!.upperBound]
            return TextTable.displayWidth(String(prefix))
        }
        #expect(Set(starts).count == 1, "LANG column starts: \(starts)\n\(table)")
        #expect(TextTable.displayWidth("一只狗在草地上") == 14)
        #expect(TextTable.displayWidth("犬，走る") == 8, "fullwidth comma and kana are wide")
    }

    @Test func marksAndJoinersTakeNoColumnAndEmojiTwo() {
        #expect(TextTable.displayWidth("e\u{301}") == 1, "a combining accent adds nothing")
        #expect(TextTable.displayWidth("a\u{200B}b") == 2, "a zero-width space adds nothing")
        #expect(TextTable.displayWidth("🐕") == 2)
        #expect(TextTable.displayWidth("🚀") == 2, "transport emoji are wide too")
        #expect(TextTable.displayWidth("dog") == 3)
    }
}

@Suite struct JobExitStatusTests {
    private func job(state: JobState, failed: Int) -> JobResponse {
        JobResponse(
            id: 7, kind: .ingest, state: state, total: 3, done: 3 - failed, failed: failed, inserted: 3 - failed,
            updated: 0, unchanged: 0, errors: [], createdAt: "", updatedAt: "")
    }

    @Test func aFailedJobOrFailedItemsExitNonZero() {
        #expect(JobCommand.exitStatus(for: job(state: .failed, failed: 0)) == ExitStatus.itemsFailed)
        #expect(JobCommand.exitStatus(for: job(state: .done, failed: 1)) == ExitStatus.itemsFailed)
        #expect(JobCommand.exitStatus(for: job(state: .done, failed: 0)) == nil)
        #expect(JobCommand.exitStatus(for: job(state: .running, failed: 0)) == nil)
    }
}

@Suite struct VersionTests {
    @Test func glimpseVersionPrintsTheOneVersionConstant() throws {
        #expect(Glimpse.configuration.version == GlimpseVersion.current)
        do {
            _ = try Glimpse.parseAsRoot(["--version"])
            Issue.record("--version parsed as a command")
        } catch {
            #expect(Glimpse.exitCode(for: error) == .success)
            #expect(Glimpse.fullMessage(for: error) == GlimpseVersion.current)
        }
    }
}
