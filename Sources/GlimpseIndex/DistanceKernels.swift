import CFaissShim

/// The shim's inner-product kernels by name, so tests can hold every level this CPU runs (AVX-512, AVX2+FMA,
/// portable; single-row and four-row) to one reference. The index itself always uses the best one.
public enum DistanceKernels {
    /// Kernel names, best first.
    public static let names = ["avx512", "avx2-fma", "portable"]

    /// Inner products of `query` with each row by the kernel `name`: one row through the single-row kernel, four
    /// rows through the four-row kernel. Nil when this CPU lacks that kernel (or it has no four-row form).
    public static func innerProducts(kernel name: String, query: [Float], rows: [[Float]]) -> [Float]? {
        precondition(rows.count == 1 || rows.count == 4, "one row or four")
        precondition(rows.allSatisfy { $0.count == query.count }, "rows must have the query's length")
        var out = [Float](repeating: 0, count: rows.count)
        let status = query.withUnsafeBufferPointer { queryBuffer -> Int32 in
            withRowPointers(rows) { pointers in
                out.withUnsafeMutableBufferPointer { outBuffer in
                    glimpse_inner_product_with_kernel(
                        name, queryBuffer.baseAddress, pointers, Int32(rows.count), UInt64(query.count),
                        outBuffer.baseAddress)
                }
            }
        }
        return status == 1 ? out : nil
    }

    private static func withRowPointers<R>(
        _ rows: [[Float]], _ body: (UnsafePointer<UnsafePointer<Float>?>) -> R
    ) -> R {
        // Copies into one buffer so each row's pointer stays valid for the whole call.
        let length = rows.first?.count ?? 0
        let flat = rows.flatMap { $0 }
        return flat.withUnsafeBufferPointer { buffer in
            let pointers: [UnsafePointer<Float>?] = (0..<rows.count).map { buffer.baseAddress! + $0 * length }
            return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
    }
}
