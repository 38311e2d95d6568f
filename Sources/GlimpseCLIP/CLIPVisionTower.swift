import Foundation
import GlimpseEmbedding
import GlimpseTokenizers
import GlimpseTransformer

/// The vision tower's linear-layer precision (`fp32` or `int8`), under a name for users of this module.
public typealias CLIPVisionPrecision = LinearPrecision

/// transformers' `CLIPVisionModel` + `visual_projection` (the same layout in `ChineseCLIPModel`): patch embedding
/// (a stride-`patch` convolution without bias, done as im2col + sgemm), class token, position embeddings,
/// `pre_layrnorm`, pre-LN encoder layers, `post_layernorm` on the class token, projection without bias. All images
/// of a batch go through each sgemm together. Every step is split across the tower's own `WorkerPool` (threads that
/// sleep between jobs); the encoder layers' linear layers run in fp32 or, optionally, int8 (`LinearPrecision`).
public struct CLIPVisionTower: Sendable {
    public let configuration: CLIPVisionConfiguration
    public let projectionDimension: Int
    /// The encoder layers' linear layers: fp32, or int8 weights per output row × int8 activations per token.
    public let precision: LinearPrecision
    /// Images per forward pass inside `imageFeatures`: bounds activation memory (ViT-B/16: ≈ 5 MB per image).
    public static let imagesPerForwardPass = 32

    private let patchEmbedding: TowerLinear  // [H, C·P·P], the conv kernel flattened in (c, y, x) order; fp32
    private let classEmbedding: [Float]
    private let positionEmbedding: [Float]  // [tokens, H]
    private let preNormWeight: [Float], preNormBias: [Float]
    private let layers: [PooledPreLayerNormLayer]
    private let postNormWeight: [Float], postNormBias: [Float]
    private let projection: TowerLinear  // [D, H], fp32
    private let pool: WorkerPool

    /// Threads each forward pass is split across (the caller's included).
    public var threadCount: Int { pool.threadCount }

    /// Reads `vision_model.*` and `visual_projection.weight` (the names of both CLIPModel and ChineseCLIPModel).
    /// `threadCount` defaults to GLIMPSE_ENCODER_THREADS (the daemon's `encoder_threads`), else the active cores.
    /// `precision` applies to the encoder layers' linear layers; the patch embedding (a convolution, which PyTorch's
    /// dynamic quantisation leaves alone too) and the small projection stay fp32.
    public init(
        file: any TensorSource, configuration c: CLIPVisionConfiguration, projectionDimension: Int,
        precision: LinearPrecision = .fp32, threadCount: Int? = nil
    ) throws {
        configuration = c
        self.projectionDimension = projectionDimension
        self.precision = precision
        let h = c.hiddenSize
        let p = "vision_model."
        let patchInputs = c.channelCount * c.patchSize * c.patchSize
        patchEmbedding = TowerLinear(
            weight: try file.floats(
                p + "embeddings.patch_embedding.weight", shape: [h, c.channelCount, c.patchSize, c.patchSize]),
            bias: nil, outputs: h, inputs: patchInputs, precision: .fp32)
        classEmbedding = try file.floats(p + "embeddings.class_embedding", shape: [h])
        positionEmbedding = try file.floats(p + "embeddings.position_embedding.weight", shape: [c.tokenCount, h])
        preNormWeight = try file.floats(p + "pre_layrnorm.weight", shape: [h])
        preNormBias = try file.floats(p + "pre_layrnorm.bias", shape: [h])
        layers = try (0..<c.layerCount).map {
            PooledPreLayerNormLayer(
                try PreLayerNormLayerWeights(
                    file: file, prefix: p + "encoder.layers.\($0).", hiddenSize: h,
                    intermediateSize: c.intermediateSize),
                hiddenSize: h, intermediateSize: c.intermediateSize, precision: precision)
        }
        postNormWeight = try file.floats(p + "post_layernorm.weight", shape: [h])
        postNormBias = try file.floats(p + "post_layernorm.bias", shape: [h])
        projection = TowerLinear(
            weight: try file.floats("visual_projection.weight", shape: [projectionDimension, h]), bias: nil,
            outputs: projectionDimension, inputs: h, precision: .fp32)
        pool = WorkerPool(threadCount: threadCount ?? WorkerPool.configuredThreadCount)
        BLAS.useCallerThreadsOnly()
    }

    /// `OpenBLASCoreType.reexecuteIfGeneric()`, for programs that import only this module: OpenBLAS picks its
    /// kernels when it loads, and on a CPU model it does not know it runs generic SSE3 ones.
    public static func reexecuteIfOpenBLASKernelsAreGeneric() { OpenBLASCoreType.reexecuteIfGeneric() }

    /// Projected (not normalised) image features, as `get_image_features`: `count` preprocessed images of
    /// `configuration.pixelCount` floats each (CHW, already normalised with the processor's mean and std),
    /// concatenated.
    public func imageFeatures(pixelValues: [Float], count: Int) throws -> [[Float]] {
        let perImage = configuration.pixelCount
        let (expected, overflow) = max(count, 0).multipliedReportingOverflow(by: perImage)
        guard count >= 0, !overflow, pixelValues.count == expected else {
            throw CLIPModelError.invalidPixelValues(
                expected: overflow ? .max : expected, found: pixelValues.count,
                count: count)
        }
        var features: [[Float]] = []
        features.reserveCapacity(count)
        var first = 0
        while first < count {
            let n = min(Self.imagesPerForwardPass, count - first)
            pixelValues.withUnsafeBufferPointer { pixels in
                features += forward(pixels.baseAddress! + first * perImage, count: n)
            }
            first += n
        }
        return features
    }

    private func forward(_ pixels: UnsafePointer<Float>, count n: Int) -> [[Float]] {
        let c = configuration
        let h = c.hiddenSize
        let t = c.tokenCount
        let patchCount = t - 1
        let patchInputs = c.channelCount * c.patchSize * c.patchSize
        let x = TransformerBuffer(count: n * t * h)
        defer { x.deallocate() }

        do {  // Patch embedding: im2col rows [n·patches, C·P·P] · kernelᵀ.
            let columns = TransformerBuffer(count: n * patchCount * patchInputs)
            let embedded = TransformerBuffer(count: n * patchCount * h)
            defer {
                columns.deallocate()
                embedded.deallocate()
            }
            im2col(pixels, count: n, into: columns.pointer)
            patchEmbedding.apply(columns.pointer, rows: n * patchCount, into: embedded.pointer, pool: pool)
            positionEmbedding.withUnsafeBufferPointer { positions in
                classEmbedding.withUnsafeBufferPointer { cls in
                    for image in 0..<n {
                        let rows = x.pointer + image * t * h
                        for i in 0..<h { rows[i] = cls[i] + positions[i] }
                        for patch in 0..<patchCount {
                            let row = rows + (patch + 1) * h
                            let source = embedded.pointer + (image * patchCount + patch) * h
                            let position = positions.baseAddress! + (patch + 1) * h
                            for i in 0..<h { row[i] = source[i] + position[i] }
                        }
                    }
                }
            }
        }

        PooledPreLayerNormEncoder.layerNorm(
            x.pointer, into: x.pointer, weight: preNormWeight, bias: preNormBias, rows: n * t, width: h,
            epsilon: c.layerNormEpsilon, pool: pool)
        let dimensions = TransformerDimensions(
            hiddenSize: h, headCount: c.headCount,
            intermediateSize: c.intermediateSize,
            layerNormEpsilon: c.layerNormEpsilon, activation: c.activation)
        PooledPreLayerNormEncoder.run(
            layers: layers, dimensions: dimensions, x: x.pointer, segments: (0..<n).map { ($0 * t, t) }, pool: pool)

        // post_layernorm on each image's class token, then the projection.
        let pooled = TransformerBuffer(count: n * h)
        let projected = TransformerBuffer(count: n * projectionDimension)
        defer {
            pooled.deallocate()
            projected.deallocate()
        }
        for image in 0..<n { (pooled.pointer + image * h).update(from: x.pointer + image * t * h, count: h) }
        TransformerKernels.layerNorm(
            pooled.pointer, residual: nil, weight: postNormWeight, bias: postNormBias,
            rows: n, width: h, epsilon: c.layerNormEpsilon)
        projection.apply(pooled.pointer, rows: n, into: projected.pointer, pool: pool)
        return (0..<n).map {
            Array(UnsafeBufferPointer(start: projected.pointer + $0 * projectionDimension, count: projectionDimension))
        }
    }

    /// One row per patch (row-major over the grid, as `flatten(2)` orders them), holding the patch's pixels in the
    /// kernel's (channel, y, x) order.
    private func im2col(_ pixels: UnsafePointer<Float>, count n: Int, into columns: UnsafeMutablePointer<Float>) {
        let c = configuration
        let size = c.imageSize
        let patch = c.patchSize
        let grid = c.patchesPerSide
        let rowLength = c.channelCount * patch * patch
        for image in 0..<n {
            let source = pixels + image * c.pixelCount
            for gy in 0..<grid {
                for gx in 0..<grid {
                    var out = columns + ((image * grid + gy) * grid + gx) * rowLength
                    for channel in 0..<c.channelCount {
                        for ky in 0..<patch {
                            out.update(
                                from: source + (channel * size + gy * patch + ky) * size + gx * patch,
                                count: patch)
                            out += patch
                        }
                    }
                }
            }
        }
    }
}
