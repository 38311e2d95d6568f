import Foundation
import GlimpseLanguage
import Logging

/// Whether query alignment is available, and why not: a missing or corrupt dictionary disables it with a logged
/// error while plain vector search goes on.
struct CrossLingualAlignment: Sendable {
    let aligner: QueryAligner?
    let dictionaryPath: String?
    let englishHeadwords: Int
    let problem: String?

    static func load(dictionaryPath: String?, cedictPath: String? = nil, logger: Logger) -> CrossLingualAlignment {
        guard let dictionaryPath else {
            logger.notice("no bilingual dictionary configured; cross-lingual alignment is off")
            return CrossLingualAlignment(
                aligner: nil, dictionaryPath: nil, englishHeadwords: 0, problem: "no dictionary configured")
        }
        do {
            let dictionary = try BilingualDictionary.load(contentsOf: dictionaryPath, cedictPath: cedictPath)
            logger.info(
                "bilingual dictionary loaded; cross-lingual alignment is on",
                metadata: [
                    "path": "\(dictionaryPath)", "english_headwords": "\(dictionary.englishHeadwordCount)",
                    "cc_cedict": "\(cedictPath ?? "none")", "cc_cedict_headwords": "\(dictionary.cedictHeadwordCount)",
                ])
            return CrossLingualAlignment(
                aligner: QueryAligner(dictionary: dictionary), dictionaryPath: dictionaryPath,
                englishHeadwords: dictionary.englishHeadwordCount, problem: nil)
        } catch {
            logger.error(
                "cross-lingual alignment disabled; serving plain vector search",
                metadata: ["error": "\(error.description)"])
            return CrossLingualAlignment(
                aligner: nil, dictionaryPath: dictionaryPath, englishHeadwords: 0, problem: error.description)
        }
    }
}
