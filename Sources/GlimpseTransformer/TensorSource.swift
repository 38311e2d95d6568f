/// Named weight tensors read as fp32, whatever file format holds them: one `.safetensors` file, a sharded
/// safetensors checkpoint (`ShardedSafetensors`) or a PyTorch `pytorch_model.bin` (`PyTorchCheckpoint`).
/// The towers read their weights through this, so every published form of a checkpoint loads the same way.
public protocol TensorSource: Sendable {
    /// Where the tensors come from, for error messages.
    var path: String { get }
    func contains(_ name: String) -> Bool
    /// The tensor's values widened to fp32, after checking it exists and has `shape`.
    func floats(_ name: String, shape: [Int]) throws -> [Float]
}

extension SafetensorsFile: TensorSource {}
