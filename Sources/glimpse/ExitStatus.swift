import ArgumentParser
import Foundation
import GlimpseClient

/// The exit statuses documented in `glimpse --help`, and the one-line error report behind each.
enum ExitStatus {
    static let success: Int32 = 0
    static let itemsFailed: Int32 = 1
    static let refused: Int32 = 2
    static let unavailable: Int32 = 3

    /// Prints `error` the way a user needs it and returns the status to exit with.
    static func report(_ error: any Error) -> Int32 {
        switch error {
        case let failure as CommandFailure:
            if let message = failure.message { Output.error(message) }
            return failure.status
        case let clientError as GlimpseClientError:
            Output.error(clientError.description)
            return status(for: clientError)
        case let manifestError as ManifestError:
            Output.error(manifestError.description)
            return refused
        case let refusal as BatchRefusedError:
            Output.error(refusal.description)
            return status(for: refusal.underlying)
        default:
            // Argument parsing: help and --version are not errors; usage mistakes print ArgumentParser's message.
            let code = Glimpse.exitCode(for: error)
            let message = Glimpse.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                return success
            }
            Output.standardError(message.isEmpty ? "glimpse: \(error)" : message)
            return refused
        }
    }

    static func status(for error: GlimpseClientError) -> Int32 {
        switch error.kind {
        case .api: (error.status ?? 500) >= 500 ? unavailable : refused
        case .invalidRequest: refused
        case .unreachable, .timedOut, .transport, .undecodableResponse: unavailable
        }
    }
}

/// Ends a command with a given status, after it has printed what the user needs (or with one message to print).
struct CommandFailure: Error {
    var status: Int32
    var message: String?
}
