import GlimpseAPI
import GlimpseClient
import Testing

@Suite struct IngestBatchingTests {
    func entries(_ count: Int, captionLength: Int = 5) -> [ManifestEntry] {
        (0..<count).map { index in
            ManifestEntry(
                lineNumber: index + 1,
                item: IngestItem(
                    imagePath: "/p/\(index).jpg", captions: ["en": String(repeating: "x", count: captionLength)]))
        }
    }

    @Test func batchesHoldAtMostTheBatchSizeAndKeepManifestOrder() {
        let all = entries(1_201)
        let batches = IngestBatching.split(all, maxItems: 500)
        #expect(batches.map(\.count) == [500, 500, 201])
        #expect(batches.flatMap { $0 } == all)
    }

    @Test func batchSizeIsCappedAtTheDaemonLimit() {
        let batches = IngestBatching.split(entries(2_500), maxItems: 5_000)
        #expect(batches.map(\.count) == [1_000, 1_000, 500])
    }

    @Test func batchesStayUnderTheByteLimit() {
        // Each item encodes to a little over 1 KB, so 10 KB holds fewer than 10 of them.
        let all = entries(25, captionLength: 1_000)
        let batches = IngestBatching.split(all, maxItems: 1_000, maxBytes: 10_000)
        #expect(batches.count > 2)
        #expect(batches.allSatisfy { $0.count < 10 })
        #expect(batches.flatMap { $0 } == all)
    }

    @Test func anItemLargerThanTheByteLimitStillGoesAloneRatherThanBeingDropped() {
        let all = entries(3, captionLength: 5_000)
        let batches = IngestBatching.split(all, maxItems: 1_000, maxBytes: 1_000)
        #expect(batches.map(\.count) == [1, 1, 1])
    }

    @Test func noEntriesMakeNoBatches() {
        #expect(IngestBatching.split([], maxItems: 10).isEmpty)
    }
}
