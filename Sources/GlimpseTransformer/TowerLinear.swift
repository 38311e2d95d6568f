import CQuantKernels

/// How a tower's encoder linear layers compute: fp32 sgemm, or int8 weights (per output row) × int8 activations
/// (per token), quantised on the fly as PyTorch's dynamic quantisation does.
public enum LinearPrecision: String, Sendable, CaseIterable {
    case fp32
    case int8
}

/// One linear layer y = x·Wᵀ + b (W stored [outputs, inputs] as in PyTorch) in the precision it was built with,
/// split across a `WorkerPool` (fp32: by output columns or by rows, see `FP32Split`; int8: by output columns): every
/// output value is computed by one task, so results depend on the thread count only through OpenBLAS's choice of
/// kernel for the task's shape (within 1e-5 in the tests).
package struct TowerLinear: Sendable {
    package let inputs: Int
    package let outputs: Int
    package let bias: [Float]?
    private let storage: Storage

    private enum Storage: Sendable {
        case fp32([Float])
        case int8(Int8Matrix)
    }

    /// Below this many multiply-adds a product runs on the calling thread (waking a worker costs more).
    static let parallelProducts = 1 << 20

    package init(weight: [Float], bias: [Float]?, outputs: Int, inputs: Int, precision: LinearPrecision) {
        precondition(weight.count == outputs * inputs && (bias?.count ?? outputs) == outputs)
        self.inputs = inputs
        self.outputs = outputs
        self.bias = bias
        switch precision {
        case .fp32: storage = .fp32(weight)
        case .int8: storage = .int8(Int8Matrix(weight: weight, rows: outputs, columns: inputs))
        }
    }

    package var precision: LinearPrecision {
        switch storage {
        case .fp32: .fp32
        case .int8: .int8
        }
    }

    /// output[rows, outputs] = input[rows, inputs]·Wᵀ + b, then `activation` (nil: none); with `accumulate`,
    /// output += that instead (a residual connection, no activation).
    package func apply(
        _ input: UnsafePointer<Float>, rows: Int, activation: TransformerActivation? = nil, accumulate: Bool = false,
        into output: UnsafeMutablePointer<Float>, pool: WorkerPool
    ) {
        guard rows > 0 else { return }
        precondition(!(accumulate && activation != nil))
        let parallel = rows * inputs * outputs >= Self.parallelProducts
        switch storage {
        case .fp32(let weight):
            applyFP32(
                weight, input, rows: rows, activation: activation, accumulate: accumulate, into: output,
                pool: pool, parallel: parallel)
        case .int8(let matrix):
            applyInt8(
                matrix, input, rows: rows, activation: activation, accumulate: accumulate, into: output,
                pool: pool, parallel: parallel)
        }
    }

    /// Tasks per thread for split work: threads claim tasks as they come, so a thread the OS deschedules on a
    /// loaded machine holds up only a small share.
    private static let tasksPerThread = 2

    /// How an fp32 product is cut into tasks. OpenBLAS packs both operands again on every call, so each task repeats
    /// the packing of the side it does not split: cut by output columns, every task packs all `rows` input rows;
    /// cut by rows, every task packs the whole weight. The cut goes across the side whose repeated packing is
    /// smaller (columns while rows ≤ outputs, as in ViT-B/32 batches; rows for ViT-B/16's 1,576-row batches
    /// against the 768-output projections), and into one task per thread, since each extra task packs it again.
    package struct FP32Split: Equatable, Sendable {
        package let byRows: Bool
        package let tasks: Int

        package init(rows: Int, outputs: Int, threads: Int, parallel: Bool) {
            byRows = rows > outputs
            let chunks = (outputs + 15) / 16
            tasks = parallel ? max(1, min(byRows ? rows : chunks, threads)) : 1
        }

        /// Task `task`'s rows and output columns (columns in multiples of 16, so each sgemm keeps whole vectors).
        package func part(_ task: Int, rows: Int, outputs: Int) -> (rows: Range<Int>, columns: Range<Int>) {
            if byRows { return (WorkerPool.range(task, of: tasks, count: rows), 0..<outputs) }
            let chunks = WorkerPool.range(task, of: tasks, count: (outputs + 15) / 16)
            return (0..<rows, min(chunks.lowerBound * 16, outputs)..<min(chunks.upperBound * 16, outputs))
        }
    }

    private func applyFP32(
        _ weight: [Float], _ input: UnsafePointer<Float>, rows: Int, activation: TransformerActivation?,
        accumulate: Bool, into output: UnsafeMutablePointer<Float>, pool: WorkerPool, parallel: Bool
    ) {
        let split = FP32Split(rows: rows, outputs: outputs, threads: pool.threadCount, parallel: parallel)
        let outputs = outputs
        let inputs = inputs
        weight.withUnsafeBufferPointer { w in
            withBias { b in
                pool.run(tasks: split.tasks) { task in
                    let (taskRows, columns) = split.part(task, rows: rows, outputs: outputs)
                    let first = columns.lowerBound
                    let count = columns.count
                    guard count > 0, !taskRows.isEmpty else { return }
                    for r in taskRows {
                        let row = output + r * outputs + first
                        if let b {
                            if accumulate {
                                for i in 0..<count { row[i] += b[first + i] }
                            } else {
                                row.update(from: b + first, count: count)
                            }
                        } else if !accumulate {
                            row.update(repeating: 0, count: count)
                        }
                    }
                    BLAS.gemm(
                        m: taskRows.count, n: count, k: inputs, a: input + taskRows.lowerBound * inputs, lda: inputs,
                        b: w.baseAddress! + first * inputs, ldb: inputs, transposeB: true, beta: 1,
                        c: output + taskRows.lowerBound * outputs + first, ldc: outputs)
                    if let activation {
                        for r in taskRows { activation.applySerially(output + r * outputs + first, count: count) }
                    }
                }
            }
        }
    }

    private func applyInt8(
        _ matrix: Int8Matrix, _ input: UnsafePointer<Float>, rows: Int, activation: TransformerActivation?,
        accumulate: Bool, into output: UnsafeMutablePointer<Float>, pool: WorkerPool, parallel: Bool
    ) {
        let padded = Int(cq_i8_padded_columns(Int32(inputs)))
        let quantised = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * padded)
        let scales = UnsafeMutablePointer<Float>.allocate(capacity: rows)
        // With `accumulate` the product goes to a scratch matrix first, then each task adds its own columns.
        let target = accumulate ? UnsafeMutablePointer<Float>.allocate(capacity: rows * outputs) : output
        defer {
            quantised.deallocate()
            scales.deallocate()
            if accumulate { target.deallocate() }
        }
        let inputs = inputs
        let outputs = outputs
        let rowTasks = parallel ? max(1, min(rows, pool.threadCount * Self.tasksPerThread)) : 1
        pool.run(tasks: rowTasks) { task in
            let range = WorkerPool.range(task, of: rowTasks, count: rows)
            guard !range.isEmpty else { return }
            cq_i8_quantise_rows(
                input + range.lowerBound * inputs, Int32(range.count), Int32(inputs), Int32(inputs),
                quantised + range.lowerBound * padded, scales + range.lowerBound)
        }
        let panels = matrix.panels
        let tasks = parallel ? max(1, min(panels, pool.threadCount * Self.tasksPerThread)) : 1
        matrix.packed.withUnsafeBufferPointer { w in
            matrix.scales.withUnsafeBufferPointer { ws in
                matrix.sums.withUnsafeBufferPointer { sums in
                    withBias { b in
                        pool.run(tasks: tasks) { task in
                            let part = WorkerPool.range(task, of: tasks, count: panels)
                            guard !part.isEmpty else { return }
                            cq_i8_matmul(
                                w.baseAddress!, ws.baseAddress!, sums.baseAddress!, quantised, scales, Int32(rows),
                                Int32(inputs), b, target, Int32(outputs), Int32(outputs), Int32(part.lowerBound),
                                Int32(part.upperBound))
                            let first = part.lowerBound * Int(CQ_I8_PANEL)
                            let count = min(part.upperBound * Int(CQ_I8_PANEL), outputs) - first
                            guard count > 0 else { return }
                            for r in 0..<rows {
                                let row = output + r * outputs + first
                                if accumulate {
                                    let product = target + r * outputs + first
                                    for i in 0..<count { row[i] += product[i] }
                                } else if let activation {
                                    activation.applySerially(row, count: count)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private func withBias(_ body: (UnsafePointer<Float>?) -> Void) {
        if let bias {
            bias.withUnsafeBufferPointer { body($0.baseAddress!) }
        } else {
            body(nil)
        }
    }
}
