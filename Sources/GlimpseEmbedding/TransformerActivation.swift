import Foundation

/// The feed-forward activations the supported encoders use, under their `transformers` names (`hidden_act`).
package enum TransformerActivation: String, Sendable, CaseIterable {
    /// Exact (erf) GELU, as BERT was trained with (`nn.functional.gelu`).
    case gelu
    /// x · σ(1.702 x), OpenAI CLIP's activation.
    case quickGELU = "quick_gelu"
    /// The tanh approximation of GELU (`gelu_new`; `gelu_pytorch_tanh` computes the same function).
    case geluNew = "gelu_new"
    case geluPyTorchTanh = "gelu_pytorch_tanh"

    /// Applies the activation in place to `count` values.
    package func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .gelu:
            for i in 0..<count {
                let v = p[i]
                p[i] = 0.5 * v * (1 + erf(v * 0.707_106_781_186_547_524_40))
            }
        case .quickGELU:
            for i in 0..<count {
                let v = p[i]
                p[i] = v / (1 + exp(-1.702 * v))
            }
        case .geluNew, .geluPyTorchTanh:
            let c: Float = 0.797_884_560_802_865_355_88  // √(2/π)
            for i in 0..<count {
                let v = p[i]
                p[i] = 0.5 * v * (1 + tanh(c * (v + 0.044715 * v * v * v)))
            }
        }
    }
}
