/// How close two embeddings are, for agreement checks against reference outputs.
public func cosine(_ a: [Float], _ b: [Float]) -> Float { Float(preciseCosine(a, b)) }

/// In Double, so reports can show how far below 1 the agreement is.
public func preciseCosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot: Double = 0
    var na: Double = 0
    var nb: Double = 0
    for i in a.indices {
        dot += Double(a[i]) * Double(b[i])
        na += Double(a[i]) * Double(a[i])
        nb += Double(b[i]) * Double(b[i])
    }
    return dot / (na.squareRoot() * nb.squareRoot())
}

public func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
