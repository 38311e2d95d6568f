import Foundation

/// A checkpoint split over several `.safetensors` files by a `model.safetensors.index.json`, whose "weight_map"
/// names the shard of every tensor (transformers' `save_pretrained(max_shard_size:)`). Every shard named is opened
/// (and so checked) at load, and every tensor the map names must be in its shard.
public struct ShardedSafetensors: TensorSource {
    public let path: String
    private let shards: [String: SafetensorsFile]
    /// Tensor name → shard file name.
    private let weightMap: [String: String]

    private struct Index: Decodable {
        let weightMap: [String: String]
        enum CodingKeys: String, CodingKey { case weightMap = "weight_map" }
    }

    public init(indexPath: String) throws {
        path = indexPath
        let index: Index
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: indexPath))
            index = try JSONDecoder().decode(Index.self, from: data)
        } catch let error as DecodingError {
            throw SafetensorsError.malformedHeader(
                path: indexPath, reason: "not a safetensors index (\(error.readableDescription))")
        } catch {
            throw SafetensorsError.unreadable(path: indexPath, reason: error.localizedDescription)
        }
        let folder = URL(fileURLWithPath: indexPath).deletingLastPathComponent()
        var shards: [String: SafetensorsFile] = [:]
        for shard in Set(index.weightMap.values).sorted() {
            // A shard is a file beside the index: a name reaching elsewhere is refused, not followed.
            guard !shard.isEmpty, !shard.contains("/"), shard != "..", shard != "." else {
                throw SafetensorsError.malformedHeader(
                    path: indexPath, reason: "shard name \"\(shard)\" is not a file name in the index's folder")
            }
            shards[shard] = try SafetensorsFile(path: folder.appendingPathComponent(shard).path)
        }
        for (tensor, shard) in index.weightMap where shards[shard]?.contains(tensor) != true {
            throw SafetensorsError.missingTensor(path: folder.appendingPathComponent(shard).path, tensor: tensor)
        }
        self.shards = shards
        weightMap = index.weightMap
    }

    /// The shard file names, sorted.
    public var shardNames: [String] { shards.keys.sorted() }

    public func contains(_ name: String) -> Bool { weightMap[name] != nil }

    public func floats(_ name: String, shape: [Int]) throws -> [Float] {
        guard let shard = weightMap[name], let file = shards[shard] else {
            throw SafetensorsError.missingTensor(path: path, tensor: name)
        }
        return try file.floats(name, shape: shape)
    }
}
