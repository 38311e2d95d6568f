/// Every `error.code` the daemon answers with (`{"error": {"code", "message"}}`). Codes are part of the wire contract:
/// clients branch on them, so they are spelled once, here, and `GlimpseAPITests` checks that each one is listed in
/// the OpenAPI document. `ErrorResponse` keeps the code a plain string on the wire, so an older client still reads a
/// newer daemon's codes.
public enum APIErrorCode: String, Codable, Sendable, CaseIterable {
    // Request shape (400 unless noted).
    case invalidRequest = "invalid_request"
    case invalidJSON = "invalid_json"
    case invalidItem = "invalid_item"
    case unknownField = "unknown_field"
    case duplicateItem = "duplicate_item"
    case invalidID = "invalid_id"
    case invalidQuery = "invalid_query"
    case invalidK = "invalid_k"
    case invalidEF = "invalid_ef"
    case invalidAlign = "invalid_align"
    case invalidParameters = "invalid_parameters"
    case invalidMultipart = "invalid_multipart"
    /// 415.
    case unsupportedMediaType = "unsupported_media_type"
    /// 413.
    case tooLarge = "too_large"
    case tooManyItems = "too_many_items"
    case queryTooLong = "query_too_long"
    // Resources.
    case notFound = "not_found"
    case methodNotAllowed = "method_not_allowed"
    // Sockets (403).
    case adminSocketRequired = "admin_socket_required"
    case peerUnknown = "peer_unknown"
    // Image files and example images.
    case pathNotAllowed = "path_not_allowed"
    case imageNotFound = "image_not_found"
    case imageNotAFile = "image_not_a_file"
    case imageUnreadable = "image_unreadable"
    case imageEmpty = "image_empty"
    case imageUnsupportedFormat = "image_unsupported_format"
    case imageUnsupportedVariant = "image_unsupported_variant"
    case imageCorrupt = "image_corrupt"
    case imageTruncated = "image_truncated"
    case imageTooLarge = "image_too_large"
    case imageFileTooLarge = "image_file_too_large"
    case imageOutOfMemory = "image_out_of_memory"
    case noImageSpace = "no_image_space"
    // Daemon state.
    case invalidConfiguration = "invalid_configuration"
    case modelUnreadable = "model_unreadable"
    /// 503: the request ran longer than the daemon's request timeout.
    case timeout
    /// 500: details are in the daemon log only.
    case `internal`
    // Filters and paging (400).
    case invalidFilter = "invalid_filter"
    case invalidCursor = "invalid_cursor"
    case invalidOffset = "invalid_offset"
    case invalidMinScore = "invalid_min_score"
    case unknownParameter = "unknown_parameter"
    /// 507 for a request, or a job's per-item error: the data directory's disk (or the catalog) is full.
    case storageFull = "storage_full"
    /// 400: the request is not valid HTTP/1.1 (answered by the connection, before any route).
    case malformedRequest = "malformed_request"
    /// 408: the request did not arrive whole in time, or arrived below the minimum rate.
    case requestTimeout = "request_timeout"
    /// 503: the socket already serves its maximum number of connections.
    case tooManyConnections = "too_many_connections"
    /// 400: `lang` of `POST /v1/recognize` is not zh, en or both.
    case invalidLang = "invalid_lang"

    /// The code a client gives an error answer whose body is not the API's JSON (a proxy's page, say): `http_<status>`.
    /// Never sent by the daemon.
    public static func clientCode(forStatus status: Int) -> String { "http_\(status)" }
}
