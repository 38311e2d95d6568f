import CQuantKernels
import Foundation

/// The feed-forward activations the supported encoders use, under their `transformers` names (`hidden_act`).
package enum TransformerActivation: String, Sendable, CaseIterable {
    /// Exact (erf) GELU, as BERT was trained with (`nn.functional.gelu`); erf from a vectorised approximation
    /// within 1.5e-7 of erff (`cq_gelu`).
    case gelu
    /// x · σ(1.702 x), OpenAI CLIP's activation (e^ from the vectorised `cq_exp`).
    case quickGELU = "quick_gelu"
    /// The tanh approximation of GELU (`gelu_new`; `gelu_pytorch_tanh` computes the same function).
    case geluNew = "gelu_new"
    case geluPyTorchTanh = "gelu_pytorch_tanh"

    /// Values below which splitting the work across cores costs more than it saves.
    private static let valuesPerTask = 1 << 16

    /// Applies the activation in place to `count` values; large arrays are split across the cores (each value is
    /// computed the same way either way, so the result does not depend on the split).
    package func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let tasks = min(ProcessInfo.processInfo.activeProcessorCount, count / Self.valuesPerTask)
        guard tasks > 1 else { return applySerially(p, count: count) }
        let chunk = (count + tasks - 1) / tasks
        nonisolated(unsafe) let base = p  // each task writes only its own disjoint chunk
        DispatchQueue.concurrentPerform(iterations: tasks) { task in
            let start = task * chunk
            applySerially(base + start, count: min(chunk, count - start))
        }
    }

    /// Applies the activation in place on the calling thread.
    package func applySerially(_ p: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .gelu:
            cq_gelu(p, count)  // vectorised; erf within 1.5e-7 of erff
        case .quickGELU:
            cq_quick_gelu(p, count)  // x / (1 + e^{-1.702 x}), e^ vectorised (relative error ≲ 2e-7)
        case .geluNew, .geluPyTorchTanh:
            let c: Float = 0.797_884_560_802_865_355_88  // √(2/π)
            for i in 0..<count {
                let v = p[i]
                p[i] = 0.5 * v * (1 + tanh(c * (v + 0.044715 * v * v * v)))
            }
        }
    }
}
