import GlimpseClient

/// Shows ingestion progress on stderr: a bar redrawn in place on a terminal, and a plain line every few
/// seconds otherwise (logs and cron mail should not fill up with carriage returns).
struct ProgressDisplay {
    let toTerminal: Bool
    /// What is being done and counted, e.g. "ingest" of "items", "rebuild" of "vectors".
    let task: String
    let unit: String
    private var lastPlainLine: ContinuousClock.Instant?
    private var lastShown: IngestProgress?
    private var drewBar = false

    static let barWidth = 30
    static let plainLineInterval: Duration = .seconds(2)

    init(toTerminal: Bool, task: String = "ingest", unit: String = "items") {
        self.toTerminal = toTerminal
        self.task = task
        self.unit = unit
    }

    mutating func show(_ progress: IngestProgress) {
        guard progress != lastShown else { return }
        lastShown = progress
        if toTerminal {
            Output.standardError("\r" + Self.bar(progress, unit: unit) + "\u{1B}[K", terminator: "")
            drewBar = true
        } else {
            let now = ContinuousClock.now
            let finished = progress.processed >= progress.total
            if finished || lastPlainLine.map({ now - $0 >= Self.plainLineInterval }) ?? true {
                Output.standardError("glimpse: \(task): " + Self.counts(progress, unit: unit))
                lastPlainLine = now
            }
        }
    }

    /// Ends the bar's line so that what follows starts on its own.
    mutating func finish() {
        if drewBar { Output.standardError("") }
        drewBar = false
    }

    static func bar(_ progress: IngestProgress, unit: String = "items") -> String {
        let fraction = progress.total > 0 ? Double(progress.processed) / Double(progress.total) : 1
        let filled = min(barWidth, max(0, Int((fraction * Double(barWidth)).rounded(.down))))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "] "
            + counts(progress, unit: unit)
    }

    static func counts(_ progress: IngestProgress, unit: String = "items") -> String {
        let percent = progress.total > 0 ? progress.processed * 100 / progress.total : 100
        var text = "\(progress.processed)/\(progress.total) \(unit) (\(percent)%)"
        if progress.failed > 0 { text += ", \(progress.failed) failed" }
        if progress.jobs > 1 { text += ", job \(min(progress.jobsFinished + 1, progress.jobs)) of \(progress.jobs)" }
        return text
    }
}
