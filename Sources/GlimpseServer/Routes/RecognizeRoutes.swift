import GlimpseAPI
import GlimpseService
import Hummingbird

/// `POST /v1/recognize?lang=zh|en|both&k=…`: what a picture shows, as zero-shot labels in Chinese, English or both.
/// The image body is read as `POST /v1/search/image` reads it; a read served on both sockets.
struct RecognizeRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let deadline: RequestDeadline
    /// The body limit (`max_body_bytes`), which bounds the image too.
    let maxBodyBytes: Int

    func register(on group: RouterGroup<Context>) {
        group.post("recognize") { [service, deadline, maxBodyBytes] request, _ in
            let parameters = try RequestDecoding.queryParameters(of: request)
            try SearchParameters.refuseUnknown(parameters, allowed: ["k", "lang"], route: "POST /v1/recognize")
            let k = try RequestDecoding.integer("k", in: parameters, code: .invalidK)
            let language = try Self.language(parameters["lang"])
            let contentType = request.headers[.contentType]
            let body = try await RequestDecoding.body(of: request, limit: maxBodyBytes)
            let image = try ImageSearchBody.image(from: body, contentType: contentType)
            return JSONResponse(
                value: try await deadline.run { try await service.recognize(image, language: language, k: k) })
        }
    }

    /// `lang`: zh, en or both (the default); anything else is a 400 naming the parameter.
    static func language(_ text: String?) throws -> RecognizeLanguage {
        guard let text else { return .both }
        guard let language = RecognizeLanguage(rawValue: text.lowercased()) else {
            throw APIErrorResponse.invalid(.invalidLang, "lang must be zh, en or both, got \"\(text.prefix(40))\"")
        }
        return language
    }
}
