import Foundation
import GlimpseAPI
import GlimpseTestSupport
import Testing

/// The shared photos as a manifest (scripts/make-manifest.py) and as ingest items.
enum SharedPhotoManifest {
    /// Writes `manifest.jsonl` for the shared photos into `directory` and returns its URL; `arguments` go to
    /// make-manifest.py (`--mode alternate` captions each photo in one language, `--labels-out` writes the labels).
    static func write(in directory: URL, _ arguments: [String] = ["--mode", "alternate"]) throws -> URL {
        let manifest = directory.appendingPathComponent("manifest.jsonl")
        let made = try runCommand(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", TestEnvironment.repository.appendingPathComponent("scripts/make-manifest.py").path,
                TestEnvironment.sharedPhotos.path, manifest.path,
            ] + arguments)
        try #require(made.status == 0, "make-manifest.py failed: \(made.output)")
        return manifest
    }

    /// The shared photos as ingest items, captioned one language each.
    static func items(in directory: URL) throws -> [IngestItem] {
        try String(contentsOf: write(in: directory), encoding: .utf8).split(whereSeparator: \.isNewline).map {
            try JSONDecoder().decode(IngestItem.self, from: Data($0.utf8))
        }
    }

    /// Ingests through the admin socket and waits for every job.
    static func ingest(_ items: [IngestItem], into daemon: DaemonProcess) async throws {
        for start in stride(from: 0, to: items.count, by: 500) {
            let accepted = try await daemon.adminClient.ingest(Array(items[start..<min(start + 500, items.count)]))
            try await waitForJob(accepted.jobID, daemon: daemon)
        }
    }

    @discardableResult
    static func waitForJob(_ id: Int64, daemon: DaemonProcess) async throws -> JobResponse {
        var job = try await daemon.client.job(id: id)
        for _ in 0..<3_000 where !job.state.isFinished {
            try await Task.sleep(for: .milliseconds(100))
            job = try await daemon.client.job(id: id)
        }
        try #require(job.state.isFinished, "job \(id) did not finish:\n\(daemon.log)")
        return job
    }
}
