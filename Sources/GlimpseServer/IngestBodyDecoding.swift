import Foundation
import GlimpseAPI

/// Decodes `POST /v1/items` bodies. Kept out of the generic route type, which cannot hold static stored properties.
enum IngestBodyDecoding {
    /// The body is JSON. A missing Content-Type is taken as JSON (hand-written clients often send none); any other
    /// type is refused with 415, so a form or a text file posted by mistake is not half-read as items.
    static func checkContentType(_ contentType: String?) throws {
        guard let contentType, !contentType.isEmpty else { return }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard mediaType == "application/json" else {
            throw APIErrorResponse(
                status: .unsupportedMediaType, code: .unsupportedMediaType,
                message:
                    "Content-Type \(mediaType ?? contentType) is not accepted for ingest; send the items as application/json"
            )
        }
    }

    /// Accepts one item or `{"items": [...]}`. Unknown fields are refused rather than ignored: a typo such as
    /// `"caption"` would otherwise silently store an item without the caption the user meant to give.
    static func items(from body: Data) throws -> [IngestItem] {
        let object = try RequestDecoding.jsonValue(from: body)
        guard case .object(let fields) = object else {
            throw APIErrorResponse.invalid(
                .invalidJSON, "the body must be a JSON object: one item or {\"items\": [...]}")
        }
        if fields["items"] != nil {
            try RequestDecoding.refuseUnknownKeys(fields, allowed: ["items"], at: "the top level")
            guard case .array(let elements) = fields["items"]! else {
                throw APIErrorResponse.invalid(.invalidItem, "items must be an array")
            }
            for (index, element) in elements.enumerated() {
                guard case .object(let itemFields) = element else {
                    throw APIErrorResponse.invalid(.invalidItem, "items[\(index)] must be an object")
                }
                try RequestDecoding.refuseUnknownKeys(itemFields, allowed: IngestItem.fieldNames, at: "items[\(index)]")
            }
            return try RequestDecoding.json(IngestBatch.self, from: body).items
        }
        try RequestDecoding.refuseUnknownKeys(fields, allowed: IngestItem.fieldNames, at: "the item")
        return [try RequestDecoding.json(IngestItem.self, from: body)]
    }
}
