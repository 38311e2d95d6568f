import Foundation
import GlimpseAPI

/// Talks to `glimpsed` over its Unix domain socket, one typed method per endpoint. Every failure is a
/// `GlimpseClientError` that says whether the daemon was unreachable, refused the request, or answered oddly.
public struct GlimpseClient: Sendable {
    public let socketPath: String
    public let timeout: Duration

    public init(socketPath: String, timeout: Duration = .seconds(30)) {
        self.socketPath = socketPath
        self.timeout = timeout
    }

    /// The query socket `glimpse` uses when none is given: `$GLIMPSE_SOCKET`, else the systemd unit's path.
    public static func defaultSocketPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String
    {
        if let path = environment[SocketDefaults.queryEnvironmentVariable], !path.isEmpty { return path }
        return SocketDefaults.queryPath
    }

    /// The admin socket (ingest, delete, rebuild) when none is given: `$GLIMPSE_ADMIN_SOCKET`, else the unit's path.
    public static func defaultAdminSocketPath(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        if let path = environment[SocketDefaults.adminEnvironmentVariable], !path.isEmpty { return path }
        return SocketDefaults.adminPath
    }

    @discardableResult
    public func health() async throws(GlimpseClientError) -> HealthResponse {
        try await get(RequestPath.health)
    }

    public func status() async throws(GlimpseClientError) -> StatusResponse {
        try await get(RequestPath.status)
    }

    public func search(_ query: String, k: Int? = nil, ef: Int? = nil, align: Bool? = nil)
        async throws(GlimpseClientError) -> SearchResponse
    {
        try await get(RequestPath.search(query, k: k, ef: ef, align: align))
    }

    /// Searches by an example image: the file's bytes are sent as they are (`application/octet-stream`); the
    /// daemon recognises the format from its leading bytes.
    public func searchImage(_ imageBytes: Data, k: Int? = nil, ef: Int? = nil) async throws(GlimpseClientError)
        -> SearchResponse
    {
        try await call(
            "POST", RequestPath.searchImage(k: k, ef: ef), body: imageBytes, contentType: "application/octet-stream")
    }

    /// Names what an image shows (`POST /v1/recognize`): the file's bytes are sent as they are.
    public func recognize(_ imageBytes: Data, language: RecognizeLanguage? = nil, k: Int? = nil)
        async throws(GlimpseClientError) -> RecognizeResponse
    {
        try await call(
            "POST", RequestPath.recognize(language: language, k: k), body: imageBytes,
            contentType: "application/octet-stream")
    }

    public func ingest(_ items: [IngestItem]) async throws(GlimpseClientError) -> IngestAccepted {
        let body: Data
        do {
            body = try JSONEncoder().encode(IngestBatch(items: items))
        } catch {
            throw GlimpseClientError(
                kind: .invalidRequest, socketPath: socketPath, message: "cannot encode the items: \(error)")
        }
        return try await call("POST", RequestPath.items, body: body)
    }

    public func job(id: Int64) async throws(GlimpseClientError) -> JobResponse {
        try await get(RequestPath.job(id: id))
    }

    public func item(id: String) async throws(GlimpseClientError) -> ItemResponse {
        try await get(RequestPath.item(id: id))
    }

    public func delete(id: String) async throws(GlimpseClientError) -> DeleteResponse {
        try await call("DELETE", RequestPath.item(id: id), body: nil)
    }

    /// Queues an index rebuild (on the admin socket); nil parameters keep the daemon's configured ones, `reembed`
    /// embeds every caption again with the daemon's current model first.
    public func rebuild(m: Int? = nil, efConstruction: Int? = nil, reembed: Bool = false)
        async throws(GlimpseClientError) -> RebuildAccepted
    {
        let body: Data
        do {
            body = try JSONEncoder().encode(
                RebuildRequest(m: m, efConstruction: efConstruction, reembed: reembed ? true : nil))
        } catch {
            throw GlimpseClientError(
                kind: .invalidRequest, socketPath: socketPath, message: "cannot encode the rebuild request: \(error)")
        }
        return try await call("POST", RequestPath.rebuild, body: body)
    }

    /// Any request, answered as it came: for tests and tools that check error answers themselves. `path` is sent
    /// as given (already percent-encoded, query included). Only transport failures throw; 4xx/5xx are returned.
    public func raw(
        method: String, path: String, body: Data?, contentType: String = "application/json"
    ) async throws(GlimpseClientError) -> (status: Int, body: Data) {
        try await UnixSocketTransport(socketPath: socketPath, timeout: timeout)
            .send(method: method, path: path, body: body, contentType: contentType)
    }

    private func get<Answer: Decodable>(_ path: String) async throws(GlimpseClientError) -> Answer {
        try await call("GET", path, body: nil)
    }

    private func call<Answer: Decodable>(
        _ method: String, _ path: String, body: Data?, contentType: String = "application/json"
    ) async throws(GlimpseClientError) -> Answer {
        let answer = try await raw(method: method, path: path, body: body, contentType: contentType)
        guard (200..<300).contains(answer.status) else {
            throw GlimpseClientError.fromErrorAnswer(status: answer.status, body: answer.body, socketPath: socketPath)
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: answer.body)
        } catch {
            let shownPath = path.count > 120 ? String(path.prefix(120)) + "…" : path
            throw GlimpseClientError(
                kind: .undecodableResponse, socketPath: socketPath, status: answer.status,
                message:
                    "\(method) \(shownPath) answered \(answer.status) with a body that is not a \(Answer.self): \(Self.describe(error))"
            )
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted: "not valid JSON"
        default: "\(error)"
        }
    }
}
