import Foundation
import GlimpseAPI
import GlimpseCatalog

/// Errors the service reports to callers; the transport maps `kind` to an HTTP status.
public struct ServiceError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public enum Kind: Sendable {
        case invalidRequest
        case notFound
        case tooLarge
        case unavailable
        /// The data directory's disk is full (HTTP 507); the request changed nothing.
        case insufficientStorage
        case `internal`
    }

    public let kind: Kind
    /// Stable code for clients, e.g. `.invalidItem` (`invalid_item` on the wire).
    public let errorCode: APIErrorCode
    public let message: String
    /// The code as the wire spells it.
    public var code: String { errorCode.rawValue }

    public init(_ kind: Kind, code: APIErrorCode, _ message: String) {
        self.kind = kind
        self.errorCode = code
        self.message = message
    }

    public var description: String { message }
    public var errorDescription: String? { message }

    static func invalid(_ code: APIErrorCode, _ message: String) -> ServiceError {
        ServiceError(.invalidRequest, code: code, message)
    }

    /// `error` as a 507 `storage_full` when the catalog says its disk is full, else `error` unchanged.
    static func mappingStorageFull(_ error: any Error, while doing: String) -> any Error {
        guard let full = Catalog.storageFull(error) else { return error }
        return ServiceError(
            .insufficientStorage, code: .storageFull,
            "\(doing) failed: \(full); free space in the data directory and try again")
    }
}
