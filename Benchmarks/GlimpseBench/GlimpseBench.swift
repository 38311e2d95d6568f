import ArgumentParser

/// `swift run -c release glimpse-bench <suite>`: each suite prints a table of our numbers side by side with a
/// reference run on the same machine. Speed is measured here, never asserted in tests.
@main
struct GlimpseBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glimpse-bench",
        abstract: "Glimpse benchmarks, each printed beside a reference run on this machine.",
        subcommands: [
            EmbedderBenchmark.self, IndexBenchmark.self, ImageBenchmark.self, CLIPBenchmark.self, EvalCommand.self,
            LoadBenchmark.self, IngestRecallBenchmark.self, RecognizeLabelsBenchmark.self, FolderIngestBenchmark.self,
        ])
}
