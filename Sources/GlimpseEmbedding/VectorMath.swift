/// The two vector operations every embedder and scorer needs, in one place so that every space normalises the same
/// way (a zero vector stays zero instead of turning into NaNs).
public enum VectorMath {
    /// Σ aᵢ·bᵢ over the common length: the cosine of two L2-normalised vectors.
    @inlinable
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        let count = min(a.count, b.count)
        guard count > 0 else { return 0 }
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in dot(a.baseAddress!, b.baseAddress!, count: count) }
        }
    }

    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var sum: Float = 0
        for i in 0..<count { sum += a[i] * b[i] }
        return sum
    }

    /// `vector` scaled to unit length; a (near-)zero vector is returned as zeros.
    @inlinable
    public static func normalised(_ vector: [Float]) -> [Float] {
        var vector = vector
        normalise(&vector)
        return vector
    }

    /// Scales `vector` to unit length in place.
    @inlinable
    public static func normalise(_ vector: inout [Float]) {
        guard !vector.isEmpty else { return }
        vector.withUnsafeMutableBufferPointer { normalise($0.baseAddress!, count: $0.count) }
    }

    @inlinable
    public static func normalise(_ vector: UnsafeMutablePointer<Float>, count: Int) {
        var squared: Float = 0
        for i in 0..<count { squared += vector[i] * vector[i] }
        // The floor keeps a zero vector at zero rather than dividing by zero.
        let scale = 1 / max(squared, 1e-24).squareRoot()
        for i in 0..<count { vector[i] *= scale }
    }
}
