import Foundation
import Testing

@testable import GlimpseServer

@Suite struct ImageSearchBodyTests {
    private func multipart(boundary: String, parts: [(headers: String, content: Data)], close: Bool = true) -> Data {
        var body = Data()
        for part in parts {
            body += Data("--\(boundary)\r\n\(part.headers)\r\n\r\n".utf8) + part.content + Data("\r\n".utf8)
        }
        if close { body += Data("--\(boundary)--\r\n".utf8) }
        return body
    }

    private let jpegLike = Data([0xFF, 0xD8, 0xFF, 0x0D, 0x0A, 0x2D, 0x2D, 0x00, 0xFF, 0xD9])

    @Test func rawImageAndOctetStreamBodiesAreTheImage() throws {
        #expect(try ImageSearchBody.image(from: jpegLike, contentType: "image/jpeg") == jpegLike)
        #expect(try ImageSearchBody.image(from: jpegLike, contentType: "Image/PNG; charset=x") == jpegLike)
        #expect(try ImageSearchBody.image(from: jpegLike, contentType: "application/octet-stream") == jpegLike)
    }

    @Test func theFilePartOfAMultipartBodyIsTheImageEvenWithCRLFInside() throws {
        let body = multipart(
            boundary: "XyZ",
            parts: [
                ("Content-Disposition: form-data; name=\"k\"", Data("5".utf8)),
                (
                    "Content-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg",
                    jpegLike
                ),
            ])
        #expect(try ImageSearchBody.image(from: body, contentType: "multipart/form-data; boundary=XyZ") == jpegLike)
        #expect(try ImageSearchBody.image(from: body, contentType: "multipart/form-data; boundary=\"XyZ\"") == jpegLike)
        // No part named file: the single part with a filename.
        let other = multipart(
            boundary: "b", parts: [("Content-Disposition: form-data; name=\"photo\"; filename=\"p.png\"", jpegLike)])
        #expect(try ImageSearchBody.image(from: other, contentType: "multipart/form-data; boundary=b") == jpegLike)
    }

    @Test func unreadableBodiesAreRefusedWithACode() throws {
        func code(_ body: Data, _ contentType: String?) -> String? {
            do {
                _ = try ImageSearchBody.image(from: body, contentType: contentType)
                return nil
            } catch let error as APIErrorResponse {
                return error.code.rawValue
            } catch {
                return "\(error)"
            }
        }
        #expect(code(jpegLike, nil) == "unsupported_media_type")
        #expect(code(jpegLike, "text/plain") == "unsupported_media_type")
        #expect(code(jpegLike, "multipart/form-data") == "invalid_multipart")
        #expect(
            code(jpegLike, "multipart/form-data; boundary=\(String(repeating: "x", count: 71))") == "invalid_multipart")
        #expect(code(jpegLike, "multipart/form-data; boundary=b") == "invalid_multipart")
        let unclosed = Data("--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc".utf8)
        #expect(code(unclosed, "multipart/form-data; boundary=b") == "invalid_multipart")
        let noFile = multipart(boundary: "b", parts: [("Content-Disposition: form-data; name=\"k\"", Data("5".utf8))])
        #expect(code(noFile, "multipart/form-data; boundary=b") == "invalid_multipart")
        let twoFiles = multipart(
            boundary: "b",
            parts: [
                ("Content-Disposition: form-data; name=\"a\"; filename=\"a.jpg\"", jpegLike),
                ("Content-Disposition: form-data; name=\"b\"; filename=\"b.jpg\"", jpegLike),
            ])
        #expect(code(twoFiles, "multipart/form-data; boundary=b") == "invalid_multipart")
        let noHeaders = Data("--b\r\nno header end".utf8)
        #expect(code(noHeaders, "multipart/form-data; boundary=b") == "invalid_multipart")
    }
}
