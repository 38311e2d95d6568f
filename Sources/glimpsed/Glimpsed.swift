import Foundation
import GlimpseDaemon

/// glimpsed: reads its settings (flags, `GLIMPSE_*` variables, config file; see `glimpsed --help`) and runs the
/// daemon. Every flag comes from the settings table in GlimpseDaemon, so there is no option list to keep in sync here.
@main
enum Glimpsed {
    static func main() async {
        GlimpseDaemon.reexecuteIfOpenBLASKernelsAreGeneric()  // before any thread, file or socket exists
        let action: DaemonCommandLine.Action
        do {
            action = try DaemonCommandLine.parse(
                arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("glimpsed: error: \(error)\n".utf8))
            exit(64)  // EX_USAGE: a flag, variable or config-file setting is wrong
        }
        switch action {
        case .help(let text), .printConfigurationDocs(let text), .version(let text):
            FileHandle.standardOutput.write(Data(text.utf8))
        case .run(let configuration, let warnings):
            exit(await GlimpseDaemon.run(configuration: configuration, warnings: warnings))
        case .buildWordTable(let configuration):
            exit(WordTableCommand.run(configuration: configuration))
        }
    }
}
