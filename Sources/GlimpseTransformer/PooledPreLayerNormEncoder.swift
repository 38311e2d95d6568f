import CQuantKernels

/// A pre-LN encoder layer as the pooled stack runs it: the four linear layers in their chosen precision (query,
/// key and value stacked into one [3H, H] product), LayerNorms in fp32.
package struct PooledPreLayerNormLayer: Sendable {
    package let norm1Weight: [Float], norm1Bias: [Float]
    package let qkv: TowerLinear
    package let output: TowerLinear
    package let norm2Weight: [Float], norm2Bias: [Float]
    package let fc1: TowerLinear
    package let fc2: TowerLinear

    package init(_ w: PreLayerNormLayerWeights, hiddenSize h: Int, intermediateSize ff: Int, precision: LinearPrecision)
    {
        norm1Weight = w.norm1Weight
        norm1Bias = w.norm1Bias
        qkv = TowerLinear(weight: w.qkvWeight, bias: w.qkvBias, outputs: 3 * h, inputs: h, precision: precision)
        output = TowerLinear(weight: w.outputWeight, bias: w.outputBias, outputs: h, inputs: h, precision: precision)
        norm2Weight = w.norm2Weight
        norm2Bias = w.norm2Bias
        fc1 = TowerLinear(weight: w.fc1Weight, bias: w.fc1Bias, outputs: ff, inputs: h, precision: precision)
        fc2 = TowerLinear(weight: w.fc2Weight, bias: w.fc2Bias, outputs: h, inputs: ff, precision: precision)
    }
}

/// The pre-LayerNorm encoder stack (CLIP's vision towers; causal for OpenAI CLIP's text tower) with every step split
/// across a `WorkerPool`: linear layers as `TowerLinear` splits them (OpenBLAS runs one thread per call; see
/// `BLAS.useCallerThreadsOnly`), attention by (segment, head), LayerNorm by rows; the bias and activation are applied
/// inside each linear layer's task and the residual additions are fused into the attention output and second MLP
/// products.
package enum PooledPreLayerNormEncoder {
    package static func run(
        layers: [PooledPreLayerNormLayer], dimensions d: TransformerDimensions, x: UnsafeMutablePointer<Float>,
        segments: [(start: Int, length: Int)], causal: Bool = false, pool: WorkerPool
    ) {
        let h = d.hiddenSize
        let ff = d.intermediateSize
        let eps = d.layerNormEpsilon
        let tokens = segments.reduce(0) { $0 + $1.length }
        guard tokens > 0 else { return }
        let normed = TransformerBuffer(count: tokens * h)
        let qkv = TransformerBuffer(count: tokens * 3 * h)
        let context = TransformerBuffer(count: tokens * h)
        let intermediate = TransformerBuffer(count: tokens * ff)
        defer { for buffer in [normed, qkv, context, intermediate] { buffer.deallocate() } }

        for layer in layers {
            layerNorm(
                x, into: normed.pointer, weight: layer.norm1Weight, bias: layer.norm1Bias, rows: tokens, width: h,
                epsilon: eps, pool: pool)
            layer.qkv.apply(normed.pointer, rows: tokens, into: qkv.pointer, pool: pool)
            attention(
                qkv: qkv.pointer, segments: segments, hiddenSize: h, headCount: d.headCount, causal: causal,
                into: context.pointer, pool: pool)
            layer.output.apply(context.pointer, rows: tokens, accumulate: true, into: x, pool: pool)

            layerNorm(
                x, into: normed.pointer, weight: layer.norm2Weight, bias: layer.norm2Bias, rows: tokens, width: h,
                epsilon: eps, pool: pool)
            layer.fc1.apply(
                normed.pointer, rows: tokens, activation: d.activation, into: intermediate.pointer, pool: pool)
            layer.fc2.apply(intermediate.pointer, rows: tokens, accumulate: true, into: x, pool: pool)
        }
    }

    /// Below this many values a row-wise step runs on the calling thread.
    static let parallelValues = 1 << 15

    /// output = LayerNorm(x) row by row, split by rows.
    package static func layerNorm(
        _ x: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, weight: [Float], bias: [Float],
        rows: Int, width h: Int, epsilon: Float, pool: WorkerPool
    ) {
        let tasks = rows * h >= parallelValues ? min(rows, pool.threadCount * 2) : 1
        pool.run(tasks: tasks) { task in
            let range = WorkerPool.range(task, of: tasks, count: rows)
            guard !range.isEmpty else { return }
            weight.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    for row in range {
                        normalise(
                            x + row * h, into: output + row * h, width: h, epsilon: epsilon, weight: w.baseAddress!,
                            bias: b.baseAddress!)
                    }
                }
            }
        }
    }

    /// LayerNorm of one row (mean, then the mean squared deviation: two passes, as PyTorch), summed in 16 lanes:
    /// Swift keeps a scalar `+=` loop in order, one dependent add per value, which made LayerNorm the largest
    /// step after the products.
    package static func normalise(
        _ r: UnsafePointer<Float>, into o: UnsafeMutablePointer<Float>, width h: Int, epsilon: Float,
        weight w: UnsafePointer<Float>, bias b: UnsafePointer<Float>
    ) {
        typealias Lanes = SIMD16<Float>
        let whole = h / 16 * 16
        let source = UnsafeRawPointer(r)
        var lanes = Lanes()
        for i in stride(from: 0, to: whole, by: 16) {
            lanes += source.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
        }
        var total = lanes.sum()
        for i in whole..<h { total += r[i] }
        let mean = total / Float(h)
        lanes = Lanes()
        for i in stride(from: 0, to: whole, by: 16) {
            let d = source.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) - mean
            lanes += d * d  // not addProduct, which became scalar fmaf calls here
        }
        var squares = lanes.sum()
        for i in whole..<h { squares += (r[i] - mean) * (r[i] - mean) }
        let inverse = 1 / (squares / Float(h) + epsilon).squareRoot()
        let target = UnsafeMutableRawPointer(o)
        let weights = UnsafeRawPointer(w)
        let biases = UnsafeRawPointer(b)
        for i in stride(from: 0, to: whole, by: 16) {
            let v = source.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            let y =
                (v - mean) * inverse * weights.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
                + biases.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            target.storeBytes(of: y, toByteOffset: i * 4, as: Lanes.self)
        }
        for i in whole..<h { o[i] = (r[i] - mean) * inverse * w[i] + b[i] }
    }

    /// Scaled dot-product attention, one task per (segment, head): scores = QKᵀ/√d by sgemm, a vectorised softmax
    /// per row, context = P·V by sgemm. `causal` (CLIP's text towers): token i attends to tokens 0...i only, its
    /// later scores set to 0 after a softmax over the allowed ones (what the −∞ mask gives).
    package static func attention(
        qkv: UnsafePointer<Float>, segments: [(start: Int, length: Int)], hiddenSize h: Int, headCount: Int,
        causal: Bool = false, into context: UnsafeMutablePointer<Float>, pool: WorkerPool
    ) {
        let headSize = h / headCount
        let scale = 1 / Float(headSize).squareRoot()
        let work = segments.reduce(0) { $0 + $1.length * $1.length } * h
        let tasks = segments.count * headCount
        let run = { (task: Int) in
            let (segment, head) = task.quotientAndRemainder(dividingBy: headCount)
            let (start, length) = segments[segment]
            let q = qkv + start * 3 * h + head * headSize
            withUnsafeTemporaryAllocation(of: Float.self, capacity: length * length) { buffer in
                let scores = buffer.baseAddress!
                BLAS.gemm(
                    m: length, n: length, k: headSize, alpha: scale, a: q, lda: 3 * h, b: q + h, ldb: 3 * h,
                    transposeB: true, beta: 0, c: scores, ldc: length)
                for i in 0..<length {
                    let row = scores + i * length
                    if causal {
                        softmax(row, count: i + 1)
                        (row + i + 1).update(repeating: 0, count: length - i - 1)
                    } else {
                        softmax(row, count: length)
                    }
                }
                BLAS.gemm(
                    m: length, n: headSize, k: length, a: scores, lda: length, b: q + 2 * h, ldb: 3 * h,
                    transposeB: false, beta: 0, c: context + start * h + head * headSize, ldc: h)
            }
        }
        if work >= parallelValues, tasks > 1 {
            pool.run(tasks: tasks, run)
        } else {
            for task in 0..<tasks { run(task) }
        }
    }

    /// Softmax of one row in place, e^ from the vectorised `cq_exp`.
    static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.greatestFiniteMagnitude
        for i in 0..<count { maximum = max(maximum, row[i]) }
        for i in 0..<count { row[i] -= maximum }
        cq_exp(row, count)
        var sum: Float = 0
        for i in 0..<count { sum += row[i] }
        let inverse = 1 / sum
        for i in 0..<count { row[i] *= inverse }
    }
}
