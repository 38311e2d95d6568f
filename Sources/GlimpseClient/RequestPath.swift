import Foundation
import GlimpseAPI

/// The request targets of the daemon's API, with every user-supplied piece percent-encoded as UTF-8 so that
/// Chinese queries, ids holding `/`, `&`, `+` or `%` all reach the server intact.
public enum RequestPath {
    public static let health = "/v1/health"
    public static let status = "/v1/status"
    public static let items = "/v1/items"
    public static let rebuild = "/v1/admin/rebuild"

    public static func search(_ query: String, k: Int?, ef: Int?, align: Bool? = nil) -> String {
        var parameters = ["q=\(encode(query))"]
        if let k { parameters.append("k=\(k)") }
        if let ef { parameters.append("ef=\(ef)") }
        if let align { parameters.append("align=\(align)") }
        return "/v1/search?" + parameters.joined(separator: "&")
    }

    /// `/v1/search/image?k=…&ef=…`: the image goes in the body.
    public static func searchImage(k: Int?, ef: Int?) -> String {
        var parameters: [String] = []
        if let k { parameters.append("k=\(k)") }
        if let ef { parameters.append("ef=\(ef)") }
        return "/v1/search/image" + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
    }

    /// `/v1/recognize?lang=…&k=…`.
    public static func recognize(language: RecognizeLanguage?, k: Int?) -> String {
        var parameters: [String] = []
        if let language { parameters.append("lang=\(language.rawValue)") }
        if let k { parameters.append("k=\(k)") }
        return "/v1/recognize" + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
    }

    /// `/v1/items/{id}`: the id is one path segment, so its own `/` are encoded too.
    public static func item(id: String) -> String {
        "/v1/items/" + encode(id)
    }

    public static func job(id: Int64) -> String {
        "/v1/jobs/\(id)"
    }

    /// Percent-encodes everything except RFC 3986 unreserved characters. Stricter than needed in places, but
    /// it is safe both in a path segment and in a query value (where the server reads `+` as a space).
    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
