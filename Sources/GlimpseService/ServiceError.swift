import Foundation

/// Errors the service reports to callers; the transport maps `kind` to an HTTP status.
public struct ServiceError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public enum Kind: Sendable {
        case invalidRequest
        case notFound
        case tooLarge
        case unavailable
        case `internal`
    }

    public let kind: Kind
    /// Stable snake_case code for clients, e.g. `invalid_item`.
    public let code: String
    public let message: String

    public init(_ kind: Kind, code: String, _ message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public var description: String { message }
    public var errorDescription: String? { message }

    static func invalid(_ code: String, _ message: String) -> ServiceError {
        ServiceError(.invalidRequest, code: code, message)
    }
}
