import Foundation
import GlimpseLanguage
import GlimpseService

/// `glimpsed --build-word-table`: the install step that precomputes the query vectors of the dictionary words
/// alignment needs (`WordVectorTableBuilder`) for the first configured space's model, written to `word_table_path`.
/// The daemon maps the file at start; it must be rebuilt when the model or a dictionary changes (the daemon then
/// ignores it with a notice until it is).
public enum WordTableCommand {
    public static func run(configuration: DaemonConfiguration) -> Int32 {
        func say(_ line: String) { FileHandle.standardError.write(Data("glimpsed: \(line)\n".utf8)) }
        do {
            let cedictPath = configuration.zhEnDictionaryPath.isEmpty ? nil : configuration.zhEnDictionaryPath
            let dictionary = try BilingualDictionary.load(
                contentsOf: configuration.enZhDictionaryPath, cedictPath: cedictPath)
            var fingerprints: [String: String] = [:]
            guard let model = try configuration.loadSpaceModels(fingerprints: &fingerprints).first,
                let fingerprint = fingerprints[model.spaceName]
            else {
                say("error: no embedding space to build a word-vector table for")
                return 1
            }
            let path = configuration.effectiveWordTablePath
            say(
                "building the word-vector table for \(model.spaceName) from \(configuration.wordTableMaxWords) common English words into \(path)"
            )
            let builder = WordVectorTableBuilder(embedder: model.text, dictionary: dictionary)
            let summary = try builder.build(
                englishWords: builder.commonEnglishWords(configuration.wordTableMaxWords),
                modelFingerprint: fingerprint,
                dictionaryChecksum: WordVectorTable.dictionaryChecksum(paths: [
                    configuration.enZhDictionaryPath, cedictPath,
                ]),
                to: URL(fileURLWithPath: path), progress: say)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            say(
                String(
                    format: "wrote %@: %d texts (%d English and %d Chinese query words, %d rounds), %.1f MB in %.1f s",
                    path, summary.texts, summary.englishWords, summary.chineseWords, summary.rounds,
                    Double(bytes) / 1e6, summary.seconds))
            return 0
        } catch {
            say("error: cannot build the word-vector table: \(error)")
            return 1
        }
    }
}
