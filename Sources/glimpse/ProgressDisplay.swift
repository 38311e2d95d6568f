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
    /// When set, lines also show the rate since then and the time left at that rate (`--dir`: files/s and ETA).
    private var started: ContinuousClock.Instant?

    static let barWidth = 30
    static let plainLineInterval: Duration = .seconds(2)

    init(toTerminal: Bool, task: String = "ingest", unit: String = "items", showsRate: Bool = false) {
        self.toTerminal = toTerminal
        self.task = task
        self.unit = unit
        started = showsRate ? .now : nil
    }

    mutating func show(_ progress: IngestProgress) {
        guard progress != lastShown else { return }
        lastShown = progress
        let elapsed = started.map { ContinuousClock.now - $0 }
        if toTerminal {
            Output.standardError("\r" + Self.bar(progress, unit: unit, elapsed: elapsed) + "\u{1B}[K", terminator: "")
            drewBar = true
        } else {
            let now = ContinuousClock.now
            let finished = progress.processed >= progress.total
            if finished || lastPlainLine.map({ now - $0 >= Self.plainLineInterval }) ?? true {
                Output.standardError("glimpse: \(task): " + Self.counts(progress, unit: unit, elapsed: elapsed))
                lastPlainLine = now
            }
        }
    }

    /// Ends the bar's line so that what follows starts on its own.
    mutating func finish() {
        if drewBar { Output.standardError("") }
        drewBar = false
    }

    static func bar(_ progress: IngestProgress, unit: String = "items", elapsed: Duration? = nil) -> String {
        let fraction = progress.total > 0 ? Double(progress.processed) / Double(progress.total) : 1
        let filled = min(barWidth, max(0, Int((fraction * Double(barWidth)).rounded(.down))))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "] "
            + counts(progress, unit: unit, elapsed: elapsed)
    }

    static func counts(_ progress: IngestProgress, unit: String = "items", elapsed: Duration? = nil) -> String {
        let percent = progress.total > 0 ? progress.processed * 100 / progress.total : 100
        var text = "\(progress.processed)/\(progress.total) \(unit) (\(percent)%)"
        if progress.failed > 0 { text += ", \(progress.failed) failed" }
        if progress.jobs > 1 { text += ", job \(min(progress.jobsFinished + 1, progress.jobs)) of \(progress.jobs)" }
        if let elapsed { text += rate(progress, unit: unit, elapsed: elapsed) }
        return text
    }

    /// ", 12.5 files/s, ETA 1:04" once something is done; the ETA assumes the rate so far holds.
    static func rate(_ progress: IngestProgress, unit: String, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        guard progress.processed > 0, seconds > 0 else { return "" }
        let perSecond = Double(progress.processed) / seconds
        let left = Double(max(0, progress.total - progress.processed)) / perSecond
        return ", " + String(format: perSecond < 10 ? "%.1f" : "%.0f", perSecond) + " \(unit)/s, ETA "
            + clock(left)
    }

    /// Seconds as m:ss, or h:mm:ss from an hour on.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0
            ? String(format: "%d:%02d:%02d", hours, minutes, rest) : String(format: "%d:%02d", minutes, rest)
    }
}
