import Foundation
import GlimpseImage
import GlimpseTestSupport
import Testing

/// The daemon decodes several images at once: the codecs keep all state per call.
struct ConcurrentDecodingTests {
    @Test func concurrentDecodesEqualSerialOnes() async throws {
        let names = try CLIPFixtures.reference.get().preprocess.keys.sorted()
        let files = try names.map { try CLIPFixtures.image($0) }
        let decoder = ImageDecoder()
        let preprocessor = CLIPImagePreprocessor()
        let serial = try files.map { preprocessor.pixelValues(try decoder.decode($0)) }
        // Good and damaged files interleaved, four rounds each, all in flight together.
        let results = try await withThrowingTaskGroup(of: (Int, [Float]?).self) { group in
            for round in 0..<4 {
                for (index, data) in files.enumerated() {
                    group.addTask {
                        if (index + round) % 3 == 0 {
                            #expect(throws: ImageDecodingError.self) { try decoder.decode(data.prefix(data.count / 2)) }
                            return (index, nil)
                        }
                        return (index, preprocessor.pixelValues(try decoder.decode(data)))
                    }
                }
            }
            var collected: [(Int, [Float]?)] = []
            for try await result in group { collected.append(result) }
            return collected
        }
        #expect(results.count == 4 * files.count)
        for case (let index, let values?) in results { #expect(values == serial[index], "\(names[index])") }
    }
}
