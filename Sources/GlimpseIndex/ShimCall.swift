import CFaissShim

/// Calls a shim entry point with a message buffer and turns a failure status into a thrown error.
func shimCall(
    _ what: String, corruptAs: (String) -> HNSWIndexError = { .backend($0) },
    _ body: (UnsafeMutablePointer<CChar>) -> GlimpseShimStatus
) throws {
    var buffer = [CChar](repeating: 0, count: Int(GLIMPSE_SHIM_MESSAGE_CAPACITY))
    let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    guard status != GLIMPSE_SHIM_OK else { return }
    let message = "\(what): " + String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    switch status {
    case GLIMPSE_SHIM_INVALID_ARGUMENT: throw HNSWIndexError.invalidInput(message)
    case GLIMPSE_SHIM_CORRUPT: throw corruptAs(message)
    default: throw HNSWIndexError.backend(message)
    }
}

/// The shim's handle. The shim guards every call on it with its own reader–writer lock, so sharing the
/// pointer between threads is safe.
struct ShimHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
