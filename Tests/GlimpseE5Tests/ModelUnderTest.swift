import Foundation
import GlimpseE5
import GlimpseEmbedding
import Testing

/// The real model file: $GLIMPSE_MODEL_PATH, else where scripts/fetch-model.sh installs it.
let modelPath: String =
    ProcessInfo.processInfo.environment["GLIMPSE_MODEL_PATH"]
    ?? FileManager.default.homeDirectoryForCurrentUser
    .appendingPathComponent(".local/share/glimpse/models/e5-small-q4.bin").path

/// Loaded once for the whole suite (loading dequantises ~85 MB of weights).
private let sharedEmbedder: Result<E5TextEmbedder, any Error> = Result {
    try E5TextEmbedder(modelPath: modelPath)
}

/// Fails the calling test (never skips it) when the model is not installed.
func requireModelFile() throws {
    try #require(
        FileManager.default.fileExists(atPath: modelPath),
        "E5 model not found at \(modelPath): run scripts/fetch-model.sh (or set GLIMPSE_MODEL_PATH)")
}

/// The shared embedder over the real model.
func loadedEmbedder() throws -> E5TextEmbedder {
    try requireModelFile()
    return try sharedEmbedder.get()
}
