import Foundation
import GlimpseAPI

/// `filter`, `offset`, `cursor` and `min_score` of a search request; `filter` is the filter's JSON text.
public struct SearchPageOptions: Sendable, Equatable {
    public var filter: String?
    public var offset: Int?
    public var cursor: String?
    public var minScore: Float?

    public init(filter: String? = nil, offset: Int? = nil, cursor: String? = nil, minScore: Float? = nil) {
        self.filter = filter
        self.offset = offset
        self.cursor = cursor
        self.minScore = minScore
    }

    var queryParameters: [String] {
        var parameters: [String] = []
        if let filter { parameters.append("filter=\(RequestPath.encode(filter))") }
        if let offset { parameters.append("offset=\(offset)") }
        if let cursor { parameters.append("cursor=\(RequestPath.encode(cursor))") }
        if let minScore { parameters.append("min_score=\(minScore)") }
        return parameters
    }
}

extension RequestPath {
    static func joined(_ path: String, _ parameters: [String]) -> String {
        parameters.isEmpty ? path : path + "?" + parameters.joined(separator: "&")
    }

    public static func search(_ query: String, k: Int?, ef: Int?, align: Bool?, page: SearchPageOptions) -> String {
        search(query, k: k, ef: ef, align: align) + (page.queryParameters.isEmpty ? "" : "&")
            + page.queryParameters.joined(separator: "&")
    }

    public static func searchImage(k: Int?, ef: Int?, page: SearchPageOptions) -> String {
        var parameters: [String] = []
        if let k { parameters.append("k=\(k)") }
        if let ef { parameters.append("ef=\(ef)") }
        return joined("/v1/search/image", parameters + page.queryParameters)
    }

    /// `/v1/items/{id}/similar?…`.
    public static func similar(id: String, k: Int?, ef: Int?, page: SearchPageOptions) -> String {
        var parameters: [String] = []
        if let k { parameters.append("k=\(k)") }
        if let ef { parameters.append("ef=\(ef)") }
        return joined(item(id: id) + "/similar", parameters + page.queryParameters)
    }

    /// `/v1/items?filter=…&limit=…&cursor=…`.
    public static func listItems(filter: String?, limit: Int?, cursor: String?) -> String {
        var parameters: [String] = []
        if let filter { parameters.append("filter=\(encode(filter))") }
        if let limit { parameters.append("limit=\(limit)") }
        if let cursor { parameters.append("cursor=\(encode(cursor))") }
        return joined(items, parameters)
    }

    public static let deleteItems = "/v1/items/delete"
}

extension GlimpseClient {
    public func search(_ query: String, k: Int? = nil, ef: Int? = nil, align: Bool? = nil, page: SearchPageOptions)
        async throws(GlimpseClientError) -> SearchResponse
    {
        let answer = try await raw(
            method: "GET", path: RequestPath.search(query, k: k, ef: ef, align: align, page: page), body: nil)
        return try decode(answer, "GET /v1/search")
    }

    public func searchImage(_ imageBytes: Data, k: Int? = nil, ef: Int? = nil, page: SearchPageOptions)
        async throws(GlimpseClientError) -> SearchResponse
    {
        let answer = try await raw(
            method: "POST", path: RequestPath.searchImage(k: k, ef: ef, page: page), body: imageBytes,
            contentType: "application/octet-stream")
        return try decode(answer, "POST /v1/search/image")
    }

    /// Items like the item `id` ("more like this").
    public func similar(id: String, k: Int? = nil, ef: Int? = nil, page: SearchPageOptions = SearchPageOptions())
        async throws(GlimpseClientError) -> SearchResponse
    {
        let answer = try await raw(
            method: "GET", path: RequestPath.similar(id: id, k: k, ef: ef, page: page), body: nil)
        return try decode(answer, "GET /v1/items/{id}/similar")
    }

    /// One page of the items matching `filter` (JSON text; nil for all).
    public func listItems(filter: String? = nil, limit: Int? = nil, cursor: String? = nil)
        async throws(GlimpseClientError) -> ItemListResponse
    {
        let answer = try await raw(
            method: "GET", path: RequestPath.listItems(filter: filter, limit: limit, cursor: cursor), body: nil)
        return try decode(answer, "GET /v1/items")
    }

    /// Deletes (admin socket) every item matching `filter` (JSON text), or counts them with `dryRun`.
    public func deleteItems(filter: String, dryRun: Bool) async throws(GlimpseClientError) -> BulkDeleteResponse {
        let body: Data
        do {
            let value = try JSONValue(parsing: Data(filter.utf8))
            body = try JSONEncoder().encode(BulkDeleteRequest(filter: value, dryRun: dryRun))
        } catch {
            throw GlimpseClientError(
                kind: .invalidRequest, socketPath: socketPath, message: "the filter is not valid JSON: \(error)")
        }
        let answer = try await raw(method: "POST", path: RequestPath.deleteItems, body: body)
        return try decode(answer, "POST /v1/items/delete")
    }

    private func decode<Answer: Decodable>(_ answer: (status: Int, body: Data), _ request: String)
        throws(GlimpseClientError) -> Answer
    {
        guard (200..<300).contains(answer.status) else {
            throw GlimpseClientError.fromErrorAnswer(status: answer.status, body: answer.body, socketPath: socketPath)
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: answer.body)
        } catch {
            throw GlimpseClientError(
                kind: .undecodableResponse, socketPath: socketPath, status: answer.status,
                message: "\(request) answered \(answer.status) with a body that is not a \(Answer.self): \(error)")
        }
    }
}
