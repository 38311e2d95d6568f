import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client over one keep-alive Unix-socket connection, used by one thread only.
///
/// The load benchmark measures the daemon, so the client must cost next to nothing and add no scheduling of its
/// own: a plain socket, one request at a time, read until the body is complete (Content-Length or chunked).
final class UnixHTTPConnection {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    init(socketPath: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LoadBenchmarkError("socket(): errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw LoadBenchmarkError("socket path too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw LoadBenchmarkError("connect(\(socketPath)): errno \(code)")
        }
    }

    deinit { close(descriptor) }

    /// Sends `GET target` and returns the status code and body.
    func get(_ target: String) throws -> (status: Int, body: [UInt8]) {
        try request("GET", target)
    }

    /// Sends `method target` with an optional JSON body and returns the status code and body.
    func request(_ method: String, _ target: String, json body: [UInt8]? = nil) throws -> (status: Int, body: [UInt8]) {
        var request = Array("\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n".utf8)
        if let body {
            request += Array("Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
            request += body
        } else {
            request += Array("\r\n".utf8)
        }
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { throw LoadBenchmarkError("send failed: errno \(errno)") }
            sent += count
        }
        let headerEnd = try readUntilHeaderEnd()
        let header = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        let lines = header.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.split(separator: " ").count >= 2,
            let status = Int(statusLine.split(separator: " ")[1])
        else { throw LoadBenchmarkError("bad status line: \(header.prefix(80))") }
        var contentLength: Int?
        var chunked = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" { contentLength = Int(value) }
            if name == "transfer-encoding", value.lowercased().contains("chunked") { chunked = true }
        }
        if chunked { return (status, try readChunkedBody()) }
        let length = contentLength ?? 0
        try fill(atLeast: length)
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return (status, body)
    }

    private func readChunkedBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let lineEnd = try readUntil([13, 10])
            let sizeText = String(decoding: buffer[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            buffer.removeFirst(lineEnd + 2)
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw LoadBenchmarkError("bad chunk size")
            }
            try fill(atLeast: size + 2)
            body += buffer[..<size]
            buffer.removeFirst(size + 2)
            if size == 0 { return body }
        }
    }

    private func readUntilHeaderEnd() throws -> Int { try readUntil([13, 10, 13, 10]) }

    private func readUntil(_ marker: [UInt8]) throws -> Int {
        var searchFrom = 0
        while true {
            if buffer.count >= marker.count {
                for start in searchFrom...(buffer.count - marker.count) where buffer[start] == marker[0] {
                    if Array(buffer[start..<start + marker.count]) == marker { return start }
                }
                searchFrom = buffer.count - marker.count + 1
            }
            try receive()
        }
    }

    private func fill(atLeast count: Int) throws {
        while buffer.count < count { try receive() }
    }

    private func receive() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else {
            throw LoadBenchmarkError(count == 0 ? "connection closed by the daemon" : "recv failed: errno \(errno)")
        }
        buffer += chunk[..<count]
    }
}

/// Latency distribution and throughput of one load level (one round).
struct LevelMeasurement: Sendable {
    var latenciesMilliseconds: [Double]
    var wallSeconds: Double
    var errors: Int

    var count: Int { latenciesMilliseconds.count }
    var queriesPerSecond: Double { wallSeconds > 0 ? Double(count) / wallSeconds : 0 }
    func percentile(_ p: Double) -> Double { LoadStatistics.percentile(latenciesMilliseconds.sorted(), p) }
}

enum LoadStatistics {
    /// Nearest-rank percentile of sorted values (the Python peer uses the same definition).
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.filter { !$0.isNaN }.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// Runs `clients` threads, each with its own connection, issuing search requests back to back until `queries`
/// requests are done in total (or `duration` seconds passed). Queries are taken in order from `targets` starting
/// at `offset`, so successive levels and rounds search different texts.
enum LoadClients {
    private struct SharedState {
        var next = 0
        var latencies: [Double] = []
        var errors = 0
        var firstError: String?
        var lastFinish: Double = 0
    }

    private final class Shared: Sendable {
        let state = Mutex(SharedState())
    }

    static func run(
        socketPath: String, targets: [String], offset: Int, clients: Int, queries: Int, duration: Double?
    ) throws -> LevelMeasurement {
        let shared = Shared()
        let ready = DispatchGroup()
        let done = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        let startTime = Mutex<DispatchTime>(.now())
        for _ in 0..<clients {
            ready.enter()
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                let connection: UnixHTTPConnection
                do {
                    connection = try UnixHTTPConnection(socketPath: socketPath)
                } catch {
                    shared.state.withLock {
                        $0.errors += 1
                        $0.firstError = $0.firstError ?? "\(error)"
                    }
                    ready.leave()
                    return
                }
                ready.leave()
                start.wait()
                let began = startTime.withLock { $0 }
                while true {
                    let index: Int? = shared.state.withLock { state in
                        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - began.uptimeNanoseconds) / 1e9
                        if let duration {
                            if elapsed >= duration { return nil }
                        } else if state.next >= queries {
                            return nil
                        }
                        defer { state.next += 1 }
                        return state.next
                    }
                    guard let index else { return }
                    let target = targets[(offset + index) % targets.count]
                    let sent = DispatchTime.now()
                    do {
                        let (status, body) = try connection.get(target)
                        let finished = DispatchTime.now()
                        let milliseconds = Double(finished.uptimeNanoseconds - sent.uptimeNanoseconds) / 1e6
                        shared.state.withLock { state in
                            if status == 200 {
                                state.latencies.append(milliseconds)
                            } else {
                                state.errors += 1
                                state.firstError =
                                    state.firstError
                                    ?? "HTTP \(status): \(String(decoding: body.prefix(200), as: UTF8.self))"
                            }
                            state.lastFinish = max(
                                state.lastFinish, Double(finished.uptimeNanoseconds - began.uptimeNanoseconds) / 1e9)
                        }
                    } catch {
                        shared.state.withLock {
                            $0.errors += 1
                            $0.firstError = $0.firstError ?? "\(error)"
                        }
                        return
                    }
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        ready.wait()
        startTime.withLock { $0 = .now() }
        for _ in 0..<clients { start.signal() }
        done.wait()
        let state = shared.state.withLock { $0 }
        if let firstError = state.firstError {
            FileHandle.standardError.write(Data("  \(state.errors) failed requests, first: \(firstError)\n".utf8))
        }
        return LevelMeasurement(
            latenciesMilliseconds: state.latencies, wallSeconds: state.lastFinish, errors: state.errors)
    }

    /// `/v1/search?q=…&k=…&align=…` with the query percent-encoded.
    static func searchTarget(_ query: String, k: Int, aligned: Bool) -> String {
        // ASCII only: CharacterSet.alphanumerics would let Chinese characters through unencoded.
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = query.addingPercentEncoding(withAllowedCharacters: allowed) ?? query
        return "/v1/search?q=\(encoded)&k=\(k)&align=\(aligned)"
    }
}
