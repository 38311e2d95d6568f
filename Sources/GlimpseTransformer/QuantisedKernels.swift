import CQuantKernels

/// The Q4 × Q8 building blocks of the quantised encoders, split across a `WorkerPool` by output rows (the weight
/// matrix is partitioned, activations are shared): each output value is computed by one thread with the same
/// operations whatever the split, so results do not depend on the thread count.
package enum QuantisedKernels {
    /// The kernel path this CPU runs: "AVX512-VNNI (256-bit)", "AVX-VNNI", "AVX2" or "portable".
    package static var levelName: String {
        switch cq_supported_level() {
        case Int32(CQ_LEVEL_AVX512VNNI): "AVX512-VNNI (256-bit)"
        case Int32(CQ_LEVEL_AVXVNNI): "AVX-VNNI"
        case Int32(CQ_LEVEL_AVX2): "AVX2"
        default: "portable"
        }
    }

    /// Below this many values an element-wise step runs on the calling thread: waking a worker costs more.
    static let parallelValues = 1 << 14
    /// Below this many (token, row, group) products a matrix product runs on the calling thread.
    static let parallelProducts = 1 << 12
    /// Tasks per thread for split work: threads claim tasks as they come, so a thread the OS deschedules holds up
    /// only a small share (the result does not depend on the split).
    static let tasksPerThread = 4

    static func taskCount(_ pool: WorkerPool, parallel: Bool, items: Int) -> Int {
        parallel ? max(1, min(items, pool.threadCount * tasksPerThread)) : 1
    }

    /// output[t, r] = input[t, :] · weight[r, :] + bias[r] for the `tokens` rows of `input` (quantised from
    /// `weight.columns` values), then GELU when `gelu`; `output` has row stride `weight.rows`.
    package static func linear(
        _ input: Q8Rows, tokens: Int, weight: Q4Matrix, bias: [Float], gelu: Bool = false,
        into output: UnsafeMutablePointer<Float>, pool: WorkerPool
    ) {
        precondition(input.groups == weight.groups && bias.count == weight.rows)
        let rows = weight.rows
        let tasks = taskCount(
            pool, parallel: tokens * rows * weight.groups >= parallelProducts, items: rows)
        weight.packed.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                pool.run(tasks: tasks) { task in
                    let range = WorkerPool.range(task, of: tasks, count: rows)
                    guard !range.isEmpty else { return }
                    cq_q4q8_matmul(
                        w.baseAddress!, input.pointer, Int32(weight.groups), Int32(tokens), b.baseAddress!,
                        output, Int32(rows), Int32(range.lowerBound), Int32(range.upperBound))
                    if gelu {
                        for t in 0..<tokens { cq_gelu(output + t * rows + range.lowerBound, range.count) }
                    }
                }
            }
        }
    }

    /// Self-attention of every segment into `context` [tokens, H] from the fused [tokens, 3H] query/key/value rows,
    /// one task per (segment, head).
    package static func attention(
        qkv: UnsafePointer<Float>, segments: [(start: Int, length: Int)], hiddenSize h: Int,
        headCount: Int,
        into context: UnsafeMutablePointer<Float>, pool: WorkerPool
    ) {
        let work = segments.reduce(0) { $0 + $1.length * $1.length } * h
        let tasks = segments.count * headCount
        let run = { (task: Int) in
            let (segment, head) = task.quotientAndRemainder(dividingBy: headCount)
            let (start, length) = segments[segment]
            withUnsafeTemporaryAllocation(of: Float.self, capacity: length) { scores in
                cq_attention(
                    qkv + start * 3 * h, Int32(3 * h), Int32(h), Int32(headCount), Int32(length),
                    Int32(head), Int32(head + 1), context + start * h, Int32(h), scores.baseAddress!)
            }
        }
        if work >= parallelValues * 4 {
            pool.run(tasks: tasks, run)
        } else {
            for task in 0..<tasks { run(task) }
        }
    }

    /// x = LayerNorm(x + residual) row by row, split by rows across `pool` when large.
    package static func addLayerNorm(
        _ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>, weight: [Float],
        bias: [Float], rows: Int,
        width h: Int, epsilon: Float, pool: WorkerPool
    ) {
        let tasks = taskCount(pool, parallel: rows * h >= parallelValues * 2, items: rows)
        pool.run(tasks: tasks) { task in
            let range = WorkerPool.range(task, of: tasks, count: rows)
            guard !range.isEmpty else { return }
            TransformerKernels.layerNorm(
                x + range.lowerBound * h, residual: residual + range.lowerBound * h,
                weight: weight, bias: bias, rows: range.count, width: h, epsilon: epsilon)
        }
    }
}
