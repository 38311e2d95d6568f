import Hummingbird

/// What the query socket answers to an admin action: a 403 that says where to send it instead.
enum AdminRefusal {
    static func error(for action: String) -> APIErrorResponse {
        APIErrorResponse(
            status: .forbidden, code: "admin_socket_required",
            message: "\(action) changes the catalog and is served only on the admin socket (admin_socket_path), not on the query socket")
    }
}
