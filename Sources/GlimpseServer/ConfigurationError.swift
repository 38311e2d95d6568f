import Foundation

/// A setting that cannot work (an unknown socket group, two roles on one socket path, a malformed config file):
/// glimpsed refuses to start and prints the description.
public struct ConfigurationError: Error, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ description: String) { self.description = description }
    public var errorDescription: String? { description }
}
