import Foundation
import GlimpseAPI
import GlimpseEmbedding
import Logging

/// Decides at start which space, if any, uses the word-vector table. A table is used only when it was built by
/// the same model (fingerprint, space name and dimension) from the same dictionaries (checksum of both files);
/// anything else (no file, a corrupt or truncated one, another model, other dictionaries) is ignored with a
/// logged notice, and dictionary words are then embedded on demand and kept in the query-vector cache as before.
enum WordVectorTableAttachment {
    /// The table per space it serves, and for every space what `/v1/status` says about its table.
    struct Outcome: Sendable {
        var tables: [String: WordVectorTable] = [:]
        var statuses: [String: WordTableStatus] = [:]
    }

    static func attach(
        configuration: ServiceConfiguration, spaces: [any TextEmbedder], alignmentOn: Bool, logger: Logger
    ) -> Outcome {
        let path = configuration.wordTablePath.flatMap { $0.isEmpty ? nil : $0 }
        var reason = "no word-vector table configured"
        let tables = load(
            configuration: configuration, spaces: spaces, alignmentOn: alignmentOn, logger: logger,
            reason: &reason)
        var outcome = Outcome(tables: tables)
        for space in spaces {
            if let table = tables[space.spaceName] {
                outcome.statuses[space.spaceName] = WordTableStatus(
                    loaded: true, path: path, texts: table.header.count)
            } else {
                outcome.statuses[space.spaceName] = WordTableStatus(loaded: false, path: path, reason: reason)
            }
        }
        return outcome
    }

    /// `reason`: why no space got the table, when none did.
    private static func load(
        configuration: ServiceConfiguration, spaces: [any TextEmbedder], alignmentOn: Bool, logger: Logger,
        reason: inout String
    ) -> [String: WordVectorTable] {
        guard let path = configuration.wordTablePath, !path.isEmpty else { return [:] }
        guard FileManager.default.fileExists(atPath: path) else {
            reason = "no file at the configured path (build it: glimpsed --build-word-table)"
            if alignmentOn {
                logger.notice(
                    "no word-vector table; dictionary words are embedded on demand (build it: glimpsed --build-word-table)",
                    metadata: ["word_table_path": "\(path)"])
            }
            return [:]
        }
        let table: WordVectorTable
        do {
            table = try WordVectorTable(contentsOf: URL(fileURLWithPath: path))
        } catch {
            logger.notice("word-vector table ignored", metadata: ["error": "\(error.description)"])
            reason = error.description
            return [:]
        }
        let header = table.header
        guard let space = spaces.first(where: { $0.spaceName == header.spaceName }) else {
            reason = "built for space \(header.spaceName), which this daemon does not have"
            logger.notice(
                "word-vector table ignored: built for a space this daemon does not have",
                metadata: ["word_table_path": "\(path)", "table_space": "\(header.spaceName)"])
            return [:]
        }
        let fingerprint = configuration.modelFingerprints[space.spaceName]
        guard space.dimension == header.dimension, fingerprint == header.modelFingerprint else {
            reason = "built with another model (rebuild it: glimpsed --build-word-table)"
            logger.notice(
                "word-vector table ignored: built with another model (rebuild it: glimpsed --build-word-table)",
                metadata: [
                    "word_table_path": "\(path)", "table_model": "\(header.modelFingerprint.prefix(24))",
                    "model": "\(fingerprint?.prefix(24) ?? "unknown")",
                ])
            return [:]
        }
        let checksum = WordVectorTable.dictionaryChecksum(paths: [
            configuration.dictionaryPath, configuration.cedictPath,
        ])
        guard checksum == header.dictionaryChecksum else {
            reason = "built from other dictionaries (rebuild it: glimpsed --build-word-table)"
            logger.notice(
                "word-vector table ignored: built from other dictionaries (rebuild it: glimpsed --build-word-table)",
                metadata: ["word_table_path": "\(path)"])
            return [:]
        }
        logger.info(
            "word-vector table mapped",
            metadata: ["word_table_path": "\(path)", "space": "\(header.spaceName)", "texts": "\(header.count)"])
        return [header.spaceName: table]
    }
}
