import Foundation
import GlimpseAPI
import GlimpseImage
import GlimpseService
import GlimpseTestSupport
import Hummingbird
import Logging
import Testing

@testable import GlimpseServer

/// The OpenAPI document the daemon serves (`GET /v1/openapi.yaml`) against the Swift wire contract: error codes,
/// job kinds and states, routes, and examples.
@Suite struct OpenAPIContractTests {
    let outline = OpenAPIOutline(String(decoding: OpenAPIDocument.data(), as: UTF8.self))

    @Test func theErrorSchemaListsExactlyTheAPIErrorCodes() throws {
        let listed = try #require(outline.enumValues(of: "Error"))
        #expect(listed.count == Set(listed).count, "no code listed twice")
        let codes = Set(APIErrorCode.allCases.map(\.rawValue))
        #expect(
            codes.subtracting(listed).isEmpty, "codes missing from openapi.yaml: \(codes.subtracting(listed).sorted())")
        #expect(
            Set(listed).subtracting(codes).isEmpty,
            "openapi.yaml lists unknown codes: \(Set(listed).subtracting(codes).sorted())")
    }

    @Test func everyErrorCodeHasARowInTheAPIPage() throws {
        let page = try String(
            contentsOf: TestFixtures.repository.appendingPathComponent("docs/api.md"), encoding: .utf8)
        let missing = APIErrorCode.allCases.filter { !page.contains("| `\($0.rawValue)` |") }
        #expect(missing.isEmpty, "docs/api.md has no error-code row for \(missing.map(\.rawValue))")
    }

    @Test func jobKindsAndStatesMatchTheDocument() {
        #expect(outline.enumValues(of: "JobKind") == JobKind.allCases.map(\.rawValue))
        #expect(outline.enumValues(of: "JobState") == JobState.allCases.map(\.rawValue))
    }

    /// An image that cannot be decoded is answered with its decoding code, so each must be an API code.
    @Test func everyImageDecodingCodeIsAnAPIErrorCode() {
        let errors: [ImageDecodingError] = [
            .empty, .unsupportedFormat(found: "GIF"), .unsupportedVariant(format: .jpeg, detail: ""),
            .corrupt(format: .png, detail: ""), .truncated(format: .webp, detail: ""),
            .tooLarge(width: 1, height: 1, maxMegapixels: 1), .fileTooLarge(bytes: 2, maxBytes: 1),
            .unreadable(path: "/x", reason: ""), .outOfMemory(detail: ""),
        ]
        for error in errors {
            #expect(APIErrorCode(rawValue: error.code) != nil, "\(error.code)")
        }
    }

    @Test(arguments: [SocketRole.query, .admin])
    func theServerRegistersExactlyTheDocumentedRoutes(role: SocketRole) throws {
        let scratch = try ScratchDirectory("openapi-routes")
        defer { scratch.remove() }
        let service = try GlimpseService(
            configuration: ServiceConfiguration(dataDirectory: scratch.url),
            spaces: [SpaceModel(text: TestOnlyHashingEmbedder())],
            modelPath: "(test)", logger: Logger(label: "openapi-routes"))
        let settings = SocketServer.Settings(
            path: scratch.url.appendingPathComponent("s.sock").path, role: role, mode: 0o600, group: nil,
            maxBodyBytes: IngestLimits.maxBodyBytes, idleTimeout: .seconds(1), requestTimeout: .seconds(1))
        let registered = Set(SocketServer.router(service: service, settings: settings).routes.map(\.description))
        #expect(!registered.isEmpty)
        #expect(
            registered.subtracting(outline.operations).isEmpty,
            "undocumented: \(registered.subtracting(outline.operations).sorted())")
        #expect(
            outline.operations.subtracting(registered).isEmpty,
            "not served: \(outline.operations.subtracting(registered).sorted())")
    }

    /// Each schema's example decodes into its Swift type, and encoding that value gives the example back: a field the
    /// type does not know (a misspelling on either side) would be dropped and fail the comparison.
    @Test func everySchemaExampleRoundTripsThroughItsSwiftType() throws {
        let types: [String: any Codable.Type] = [
            "Error": ErrorResponse.self, "IngestItem": IngestItem.self, "IngestBatch": IngestBatch.self,
            "IngestAccepted": IngestAccepted.self, "JobState": JobState.self, "JobKind": JobKind.self,
            "Job": JobResponse.self, "Item": ItemResponse.self, "SearchResponse": SearchResponse.self,
            "SearchResult": SearchResult.self, "Status": StatusResponse.self, "DeleteResponse": DeleteResponse.self,
            "RebuildRequest": RebuildRequest.self, "RebuildAccepted": RebuildAccepted.self,
            "Health": HealthResponse.self, "Readiness": ReadinessResponse.self,
            "ItemFields": [String: JSONValue].self, "Filter": SearchFilter.self, "ItemList": ItemListResponse.self,
            "BulkDeleteRequest": BulkDeleteRequest.self, "BulkDeleteResponse": BulkDeleteResponse.self,
            "PhotoFacts": PhotoFactsResponse.self,
            "RecognizeResponse": RecognizeResponse.self,
        ]
        #expect(Set(outline.schemas.keys) == Set(types.keys), "every schema in openapi.yaml needs its Swift type here")
        for (schema, type) in types.sorted(by: { $0.key < $1.key }) {
            let example = try #require(outline.example(of: schema), "\(schema) has no example")
            let decoded = try JSONDecoder().decode(type, from: example)
            let encoded = try JSONEncoder().encode(decoded)
            #expect(try JSONValue(parsing: encoded) == JSONValue(parsing: example), "\(schema)")
        }
    }
}
