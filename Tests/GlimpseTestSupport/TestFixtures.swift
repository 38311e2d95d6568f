import Foundation

/// Where the committed fixtures and the shared photos are, found from this file's path so that every test target
/// sees the same files without copying them as resources.
public enum TestFixtures {
    /// Tests/Fixtures.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    /// Tests/Fixtures/CLIP, written by scripts/make-clip-fixtures.py (transformers' outputs on tiny random checkpoints).
    public static let clip = root.appendingPathComponent("CLIP")
    /// The repository's root.
    public static let repository = root.deletingLastPathComponent().deletingLastPathComponent()
    /// ../shared/data/photos beside the repository: the 177 labelled photos (never copied into the repository).
    public static let sharedPhotos = repository.deletingLastPathComponent().appendingPathComponent("shared/data/photos")
}
