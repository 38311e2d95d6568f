import CQuantKernels

/// A linear layer's weight [rows, columns] quantised per output row to int8 (symmetric, scale max|w|/127), packed
/// in the panels `cq_i8_matmul` reads: the weight half of PyTorch's dynamic quantisation.
package struct Int8Matrix: Sendable {
    package let rows: Int
    package let columns: Int
    package let packed: [Int8]
    package let scales: [Float]
    /// Σ of each row's int8 values (the kernel's correction for activations stored as q + 128).
    package let sums: [Int32]

    /// The int8 product path this CPU runs.
    package static var kernelName: String {
        switch cq_supported_level() {
        case Int32(CQ_LEVEL_AVX512VNNI): "AVX512-VNNI (512-bit)"
        case Int32(CQ_LEVEL_AVXVNNI): "AVX-VNNI"
        case Int32(CQ_LEVEL_AVX2): "AVX2"
        default: "portable"
        }
    }

    package var panels: Int { Int(cq_i8_panels(Int32(rows))) }
    package var byteCount: Int { packed.count + 4 * (scales.count + sums.count) }

    package init(weight: [Float], rows: Int, columns: Int) {
        precondition(weight.count == rows * columns)
        self.rows = rows
        self.columns = columns
        let panelRows = Int(cq_i8_panels(Int32(rows))) * Int(CQ_I8_PANEL)
        let padded = Int(cq_i8_padded_columns(Int32(columns)))
        var packed = [Int8](repeating: 0, count: panelRows * padded)
        var scales = [Float](repeating: 0, count: panelRows)
        var sums = [Int32](repeating: 0, count: panelRows)
        cq_i8_pack_weights(weight, Int32(rows), Int32(columns), &packed, &scales, &sums)
        self.packed = packed
        self.scales = scales
        self.sums = sums
    }
}
