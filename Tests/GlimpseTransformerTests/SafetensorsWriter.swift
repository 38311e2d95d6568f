import Foundation

/// Builds `.safetensors` bytes for the loader tests, including deliberately damaged ones.
struct SafetensorsWriter {
    struct Tensor {
        let name: String
        let dtype: String
        let shape: [Int]
        let bytes: [UInt8]
    }

    var tensors: [Tensor] = []

    mutating func add(_ name: String, dtype: String, shape: [Int], bytes: [UInt8]) {
        tensors.append(Tensor(name: name, dtype: dtype, shape: shape, bytes: bytes))
    }

    mutating func add(_ name: String, float32 values: [Float], shape: [Int]) {
        add(
            name, dtype: "F32", shape: shape,
            bytes: values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
    }

    /// The header JSON as safetensors writes it (offsets relative to the data section, tensors in order).
    func headerJSON() -> String {
        var offset = 0
        var entries: [String] = [#""__metadata__":{"format":"pt"}"#]
        for tensor in tensors {
            let end = offset + tensor.bytes.count
            entries.append(
                #""\#(tensor.name)":{"dtype":"\#(tensor.dtype)","shape":\#(tensor.shape),"data_offsets":[\#(offset),\#(end)]}"#
            )
            offset = end
        }
        return "{" + entries.joined(separator: ",") + "}"
    }

    func data(header: String? = nil) -> Data {
        let headerBytes = Array((header ?? headerJSON()).utf8)
        var out = Data(withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian, Array.init))
        out.append(contentsOf: headerBytes)
        for tensor in tensors { out.append(contentsOf: tensor.bytes) }
        return out
    }
}
