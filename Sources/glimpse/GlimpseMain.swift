import ArgumentParser
import Foundation

/// Entry point: runs the command and turns every failure into one `glimpse: …` line on stderr and a documented
/// exit status (see `Glimpse.configuration`), never a stack trace.
@main
enum GlimpseMain {
    static func main() async {
        do {
            var command = try Glimpse.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(ExitStatus.success)
        } catch {
            exit(ExitStatus.report(error))
        }
    }
}
