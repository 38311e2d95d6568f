import Foundation

/// `DELETE /v1/items/{id}` answer. The item's vectors are tombstoned: never returned again, compacted by a rebuild.
public struct DeleteResponse: Codable, Sendable, Equatable {
    public var id: String
    public var tombstonedVectors: Int

    public init(id: String, tombstonedVectors: Int) {
        self.id = id
        self.tombstonedVectors = tombstonedVectors
    }

    enum CodingKeys: String, CodingKey {
        case id
        case tombstonedVectors = "tombstoned_vectors"
    }
}
