import Foundation

/// Where the catalog lives and how long a write waits for another process holding the database lock.
public struct CatalogConfiguration: Sendable, Equatable {
    /// Path of the SQLite file; created (with its schema) if missing. Its directory must exist.
    public var path: String
    /// How long a statement retries while another connection or process holds a conflicting lock.
    public var busyTimeout: Duration

    public init(path: String, busyTimeout: Duration = .seconds(10)) {
        self.path = path
        self.busyTimeout = busyTimeout
    }
}
