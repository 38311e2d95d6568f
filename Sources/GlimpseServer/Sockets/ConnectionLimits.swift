import Synchronization

/// What one socket allows its connections: how fast a request must arrive, how many connections may be open, and
/// how long shutdown waits for the ones still busy. A client that trickles its request (1 byte/s of a 1 MB body)
/// would otherwise hold a connection, a file descriptor and shutdown itself for as long as it likes.
public struct ConnectionLimits: Sendable, Equatable {
    /// A request must arrive whole (request line, headers and body) within this time of its first byte.
    public var requestReadTimeout: Duration
    /// Once `minimumRateGracePeriod` has passed, a request still arriving must keep up this average rate
    /// (bytes since its first byte); 0 turns the rate check off.
    public var minimumBytesPerSecond: Int
    public var minimumRateGracePeriod: Duration
    /// Connections served at once on the socket; see `ConnectionCounter` for what happens above it.
    public var maxConnections: Int
    /// After SIGTERM, connections still open this long are closed, whatever they are doing.
    public var shutdownGracePeriod: Duration

    public init(
        requestReadTimeout: Duration = .seconds(60), minimumBytesPerSecond: Int = 1_024,
        minimumRateGracePeriod: Duration = .seconds(5), maxConnections: Int = 256,
        shutdownGracePeriod: Duration = .seconds(10)
    ) {
        self.requestReadTimeout = requestReadTimeout
        self.minimumBytesPerSecond = minimumBytesPerSecond
        self.minimumRateGracePeriod = minimumRateGracePeriod
        self.maxConnections = maxConnections
        self.shutdownGracePeriod = shutdownGracePeriod
    }
}

/// How a new connection is treated, decided when it is accepted.
enum ConnectionAdmission: Sendable, Equatable {
    case served
    /// Over the cap but within the reserve: only `GET /v1/health` is answered, anything else gets 503
    /// `too_many_connections`, and the connection is closed after one answer. Health checks keep working while
    /// slow clients hold every regular slot.
    case healthOnly
    /// Beyond the reserve too: closed at once without reading.
    case refused
}

/// Counts one socket's open connections. Shared by the connections' event loops, hence the lock.
final class ConnectionCounter: Sendable {
    /// Connections beyond the cap that are still read, for health checks and a JSON refusal.
    static let healthReserve = 16

    let limit: Int
    private let open = Mutex<Int>(0)

    init(limit: Int) { self.limit = limit }

    func admit() -> ConnectionAdmission {
        open.withLock { count in
            count += 1
            if count <= limit { return .served }
            return count <= limit + Self.healthReserve ? .healthOnly : .refused
        }
    }

    func release() { open.withLock { $0 -= 1 } }

    var current: Int { open.withLock { $0 } }
}
