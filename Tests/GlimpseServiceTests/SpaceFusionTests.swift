import Foundation
import GlimpseCatalog
import GlimpseIndex
import Testing

@testable import GlimpseService

@Suite struct SpaceFusionTests {
    private func owner(_ id: String, _ source: VectorSource = .caption) -> VectorOwner {
        VectorOwner(
            externalID: id, imagePath: "/photos/\(id).jpg", captions: ["en": id], source: source,
            captionLanguage: source == .caption ? "en" : nil, tombstoned: false)
    }

    private func hits(_ space: String, weights: SpaceWeights = SpaceWeights(), _ list: [(String, VectorSource, Float)])
        -> SpaceHits
    {
        SpaceHits(
            space: space, weights: weights, hits: list.map { SpaceVectorHit(owner: owner($0.0, $0.1), cosine: $0.2) })
    }

    @Test func oneSpaceWithDefaultWeightsScoresEachItemByItsBestVector() {
        let fused = SpaceFusion.fuse(
            [hits("e5", [("dog", .caption, 0.9), ("cat", .caption, 0.7), ("dog", .caption, 0.5)])], k: 10)
        #expect(fused.map(\.matched.externalID) == ["dog", "cat"])
        #expect(fused.map(\.score) == [0.9, 0.7])
        #expect(fused[0].scores == ["e5": 0.9])
    }

    @Test func scoreIsTheWeightedMeanOverAllSearchedSpacesAndAMissingSpaceCountsZero() {
        let e5 = hits("e5", weights: SpaceWeights(space: 1), [("dog", .caption, 0.8), ("cat", .caption, 0.9)])
        let clip = hits("clip", weights: SpaceWeights(space: 3), [("dog", .image, 0.4)])
        let fused = SpaceFusion.fuse([e5, clip], k: 10)
        // dog: (1 × 0.8 + 3 × 0.4) / 4 = 0.5; cat: (1 × 0.9 + 3 × 0) / 4 = 0.225.
        #expect(fused.map(\.matched.externalID) == ["dog", "cat"])
        #expect(abs(fused[0].score - 0.5) < 1e-6)
        #expect(abs(fused[1].score - 0.225) < 1e-6)
        #expect(fused[0].scores == ["e5": 0.8, "clip": 0.4])
        #expect(fused[1].scores == ["e5": 0.9])
        // The match shown is the vector with the largest weighted contribution: clip's 3 × 0.4 over e5's 0.8.
        #expect(fused[0].matchedSpace == "clip")
        #expect(fused[0].matched.source == .image)
    }

    @Test func sourceWeightsScaleCaptionAndImageVectorsBeforeTheBestIsChosen() {
        let weights = SpaceWeights(space: 1, caption: 0.5, image: 1)
        let fused = SpaceFusion.fuse(
            [hits("clip", weights: weights, [("dog", .caption, 0.9), ("dog", .image, 0.6), ("cat", .caption, 0.8)])],
            k: 10)
        // dog: max(0.5 × 0.9, 1 × 0.6) = 0.6 (its image); cat: 0.5 × 0.8 = 0.4.
        #expect(fused.map(\.matched.externalID) == ["dog", "cat"])
        #expect(abs(fused[0].score - 0.6) < 1e-6)
        #expect(fused[0].matched.source == .image)
        #expect(abs(fused[1].score - 0.4) < 1e-6)
    }

    @Test func resultsAreCutAtKWithTiesOrderedById() {
        let fused = SpaceFusion.fuse(
            [hits("e5", [("b", .caption, 0.5), ("a", .caption, 0.5), ("c", .caption, 0.9)])], k: 2)
        #expect(fused.map(\.matched.externalID) == ["c", "a"])
        #expect(SpaceFusion.fuse([], k: 5).isEmpty)
        #expect(SpaceFusion.fuse([hits("e5", [])], k: 5).isEmpty)
    }

    @Test func resolveDropsTombstonedUnknownAndNonFiniteHits() {
        var dead = owner("dead")
        dead.tombstoned = true
        let resolved = SpaceHits.resolve(
            space: "e5", weights: SpaceWeights(),
            hits: [
                .init(id: 1, score: 0.9), .init(id: 2, score: 0.8), .init(id: 3, score: .nan), .init(id: 4, score: 0.1),
            ],
            owners: [1: owner("live"), 2: dead, 3: owner("nan")])
        #expect(resolved.hits.map(\.owner.externalID) == ["live"])
    }
}
