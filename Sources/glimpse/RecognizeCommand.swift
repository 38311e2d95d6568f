import ArgumentParser
import Foundation
import GlimpseAPI
import GlimpseClient

extension RecognizeLanguage: ExpressibleByArgument {}

struct RecognizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recognize",
        abstract: "What an image shows: zero-shot labels in Chinese, English or both (needs a CLIP space).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The image file (JPEG, PNG, WebP, …).")
    var file: String

    @Option(help: "Label names to show: zh, en or both.")
    var lang: RecognizeLanguage = .both

    @Option(name: .short, help: "Number of labels (1–\(RecognizeLimits.maxK)).")
    var k = RecognizeLimits.defaultK

    @Flag(help: "Print the daemon's JSON answer instead of a table.")
    var json = false

    func validate() throws {
        guard (1...RecognizeLimits.maxK).contains(k) else {
            throw ValidationError("-k must be between 1 and \(RecognizeLimits.maxK), got \(k)")
        }
    }

    func run() async throws {
        let bytes = try SearchCommand.imageBytes(file: file)
        let response = try await connection.client.recognize(bytes, language: lang, k: k)
        if json {
            try Output.json(response)
            return
        }
        var header: [String] = []
        if lang != .chinese { header.append("label") }
        if lang != .english { header.append("标签") }
        header.append("probability")
        let rows = response.labels.map { label in
            [label.labelEnglish, label.labelChinese].compactMap { $0 } + [String(format: "%.4f", label.probability)]
        }
        print(TextTable.render(header: header, rows: rows, rightAligned: [header.count - 1]))
    }
}
