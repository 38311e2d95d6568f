import CQuantKernels

/// How a tower's encoder linear layers compute: fp32 sgemm, or int8 weights (per output row) × int8 activations
/// (per token), quantised on the fly as PyTorch's dynamic quantisation does.
public enum LinearPrecision: String, Sendable, CaseIterable {
    case fp32
    case int8
}

/// One linear layer y = x·Wᵀ + b (W stored [outputs, inputs] as in PyTorch) in the precision it was built with,
/// split across a `WorkerPool` by output columns: every output value is computed by one task with the same
/// operations whatever the split, so results do not depend on the thread count.
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

    private func applyFP32(
        _ weight: [Float], _ input: UnsafePointer<Float>, rows: Int, activation: TransformerActivation?,
        accumulate: Bool, into output: UnsafeMutablePointer<Float>, pool: WorkerPool, parallel: Bool
    ) {
        // Column ranges in multiples of 16 so each task's sgemm keeps whole vector widths.
        let chunks = (outputs + 15) / 16
        let tasks = parallel ? max(1, min(chunks, pool.threadCount * Self.tasksPerThread)) : 1
        let outputs = outputs
        let inputs = inputs
        weight.withUnsafeBufferPointer { w in
            withBias { b in
                pool.run(tasks: tasks) { task in
                    let part = WorkerPool.range(task, of: tasks, count: chunks)
                    let first = part.lowerBound * 16
                    let count = min(part.upperBound * 16, outputs) - first
                    guard count > 0 else { return }
                    for r in 0..<rows {
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
                        m: rows, n: count, k: inputs, a: input, lda: inputs, b: w.baseAddress! + first * inputs,
                        ldb: inputs, transposeB: true, beta: 1, c: output + first, ldc: outputs)
                    if let activation {
                        for r in 0..<rows { activation.applySerially(output + r * outputs + first, count: count) }
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
