import CQuantKernels

/// A weight matrix [rows, columns] (row-major [out, in], as PyTorch stores it) kept at 4 bits for the Q4 × Q8
/// kernels: the Q4_0 rows repacked into groups of 128 weights (64 bytes of nibbles + 4 fp32 block scales, 5 bits a
/// weight), so a query streams ~13 MB of E5 weights instead of the 85 MB of an fp32 copy.
package struct Q4Matrix: Sendable {
    package let rows: Int
    package let columns: Int
    /// Groups of 128 weights per row (a partial last group is padded with zero-scale blocks).
    package let groups: Int
    let packed: [UInt8]

    /// Repacks Q4_0 rows (see `Q4Blocks`) of `columns` weights, a multiple of 32; `parts` are stacked in order
    /// (e.g. the query, key and value projections into one [3H, H] matrix, so they take one pass).
    package init(columns: Int, parts: [(source: UnsafeRawPointer, rows: Int)]) {
        precondition(
            columns > 0 && columns % Q4Blocks.weightsPerBlock == 0, "Q4 rows hold whole 32-weight blocks")
        self.columns = columns
        groups = Int(cq_groups(Int32(columns)))
        rows = parts.reduce(0) { $0 + $1.rows }
        let rowBytes = groups * Int(CQ_Q4_GROUP_BYTES)
        var packed = [UInt8](repeating: 0, count: rows * rowBytes)
        packed.withUnsafeMutableBufferPointer { out in
            var row = 0
            for part in parts {
                cq_q4_repack(
                    part.source.assumingMemoryBound(to: UInt8.self), Int32(part.rows), Int32(columns),
                    out.baseAddress! + row * rowBytes)
                row += part.rows
            }
        }
        self.packed = packed
    }

    /// Bytes held (for memory accounting).
    package var byteCount: Int { packed.count }
}

/// Activation rows quantised to Q8 blocks for the Q4 × Q8 kernels (`cq_q8_quantise`), in a buffer sized for the
/// widest input of a forward pass and reused by every product.
package struct Q8Rows {
    package let pointer: UnsafeMutablePointer<UInt8>
    package private(set) var groups = 0
    private let capacity: Int

    package init(rows: Int, maximumColumns: Int) {
        capacity = rows * Int(cq_groups(Int32(maximumColumns))) * Int(CQ_Q8_GROUP_BYTES)
        pointer = .allocate(capacity: max(capacity, 1))
    }

    package func deallocate() { pointer.deallocate() }

    /// Quantises x[rows, columns] (row stride `columns`), split across `pool` by rows when there are enough.
    package mutating func quantise(
        _ x: UnsafePointer<Float>, rows: Int, columns: Int, pool: WorkerPool
    ) {
        groups = Int(cq_groups(Int32(columns)))
        let rowBytes = groups * Int(CQ_Q8_GROUP_BYTES)
        precondition(rows * rowBytes <= capacity)
        let tasks = QuantisedKernels.taskCount(
            pool, parallel: rows * columns >= QuantisedKernels.parallelValues, items: rows)
        let out = pointer
        pool.run(tasks: tasks) { task in
            let range = WorkerPool.range(task, of: tasks, count: rows)
            guard !range.isEmpty else { return }
            cq_q8_quantise(
                x + range.lowerBound * columns, Int32(range.count), Int32(columns), Int32(columns),
                out + range.lowerBound * rowBytes)
        }
    }
}
