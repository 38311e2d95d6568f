import GlimpseEmbedding
import Testing

@Suite struct VectorMathTests {
    @Test func normalisedVectorHasUnitLengthAndKeepsItsDirection() {
        let vector = VectorMath.normalised([3, 0, 4])
        #expect(vector == [0.6, 0, 0.8])
        #expect(abs(VectorMath.dot(vector, vector) - 1) < 1e-6)
    }

    @Test func zeroVectorStaysZeroInsteadOfBecomingNaN() {
        let vector = VectorMath.normalised([0, 0, 0])
        #expect(vector == [0, 0, 0])
        #expect(VectorMath.normalised([]) == [])
    }

    @Test func dotRunsOverTheCommonLength() {
        #expect(VectorMath.dot([1, 2, 3], [4, 5]) == 14)
        #expect(VectorMath.dot([], [1]) == 0)
    }

    @Test func tinyVectorsAreScaledUpNotLeftUnnormalised() {
        let vector = VectorMath.normalised([1e-10, 0])
        #expect(abs(vector[0] - 1) < 1e-5)
    }
}
