/// Uninitialised activation memory for one forward pass, allocated per call (the weights are shared by
/// concurrent callers, activations never are) and freed by the caller.
package struct TransformerBuffer {
    package let pointer: UnsafeMutablePointer<Float>

    package init(count: Int) {
        pointer = .allocate(capacity: max(count, 1))
    }

    package func deallocate() { pointer.deallocate() }
}
