import Foundation

/// The example image of `POST /v1/search/image`: the raw body (`image/*`, `application/octet-stream`) or the file
/// part of a `multipart/form-data` body. The multipart reader is deliberately small: it finds one part, the one
/// named `file` (or else the only part carrying a filename), and refuses anything it cannot read unambiguously.
enum ImageSearchBody {
    static func image(from body: Data, contentType: String?) throws -> Data {
        guard let contentType, !contentType.isEmpty else {
            throw unsupported(
                "missing Content-Type; send the image as image/* or application/octet-stream, or multipart/form-data with a file field"
            )
        }
        let mediaType = contentType.split(separator: ";", maxSplits: 1)[0].trimmingCharacters(in: .whitespaces)
            .lowercased()
        if mediaType.hasPrefix("image/") || mediaType == "application/octet-stream" {
            return body
        }
        if mediaType == "multipart/form-data" {
            return try multipartFile(body, boundary: try boundary(of: contentType))
        }
        throw unsupported(
            "Content-Type \(mediaType) is not an image; send image/*, application/octet-stream or multipart/form-data")
    }

    private static func unsupported(_ message: String) -> APIErrorResponse {
        APIErrorResponse(status: .unsupportedMediaType, code: .unsupportedMediaType, message: message)
    }

    private static func invalidMultipart(_ message: String) -> APIErrorResponse {
        APIErrorResponse.invalid(.invalidMultipart, message)
    }

    /// The `boundary` parameter (RFC 2046: 1–70 characters, optionally quoted).
    static func boundary(of contentType: String) throws -> String {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else {
                continue
            }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            guard (1...70).contains(value.utf8.count) else { break }
            return value
        }
        throw invalidMultipart("multipart/form-data needs a boundary parameter of 1 to 70 characters")
    }

    /// The content of the part named `file`, or else of the single part with a filename.
    static func multipartFile(_ body: Data, boundary: String) throws -> Data {
        let bytes = [UInt8](body)
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        guard var position = find(delimiter, in: bytes, from: 0) else {
            throw invalidMultipart("the body does not contain the multipart boundary")
        }
        var named: Data?
        var withFilename: [Data] = []
        while true {
            position += delimiter.count
            // "--" after a delimiter closes the body.
            if bytes.count >= position + 2, bytes[position] == 45, bytes[position + 1] == 45 { break }
            guard let headersStart = find(crlf, in: bytes, from: position).map({ $0 + 2 }),
                let headersEnd = find(crlf + crlf, in: bytes, from: headersStart)
            else { throw invalidMultipart("a multipart part has no header block") }
            let headers = String(decoding: bytes[headersStart..<headersEnd], as: UTF8.self)
            let contentStart = headersEnd + 4
            guard let next = find(crlf + delimiter, in: bytes, from: contentStart) else {
                throw invalidMultipart("the multipart body ends before its closing boundary")
            }
            let content = Data(bytes[contentStart..<next])
            let disposition =
                headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-disposition:") }
                .map { String($0).lowercased() } ?? ""
            if disposition.contains("name=\"file\"") || disposition.contains("name=file;")
                || disposition.hasSuffix("name=file")
            {
                guard named == nil else { throw invalidMultipart("more than one part is named file") }
                named = content
            } else if disposition.contains("filename=") {
                withFilename.append(content)
            }
            position = next + 2
        }
        if let named { return named }
        guard withFilename.count == 1 else {
            throw invalidMultipart(
                withFilename.isEmpty
                    ? "no part named file (form field file=@image.jpg)"
                    : "several file parts; name the image's part file")
        }
        return withFilename[0]
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else {
            return nil
        }
        let first = needle[0]
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
