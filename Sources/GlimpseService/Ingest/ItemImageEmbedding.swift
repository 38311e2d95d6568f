import Foundation
import GlimpseEmbedding
import GlimpseImage

/// Ingest's image step: decode each item's image once and embed it in every space that embeds images.
///
/// A few images at a time, because a decoded photo is large (a 1920×1080 one is 6 MB of RGB) while the vision
/// tower gains little from bigger batches. An image that cannot be decoded fails only its own item.
struct ItemImageEmbedding: Sendable {
    let spaces: [EmbeddingSpace]
    let decoder: ImageDecoder
    let blockingWork: BlockingWork
    var imagesPerBatch = 8

    init(spaces: [EmbeddingSpace], limits: ImageDecodingLimits, blockingWork: BlockingWork) {
        self.spaces = spaces.filter { $0.imageEmbedder != nil }
        self.decoder = ImageDecoder(limits: limits)
        self.blockingWork = blockingWork
    }

    var isNeeded: Bool { !spaces.isEmpty }

    /// For each image (file bytes), its vector per space name, or why the item cannot be stored. The next batch is
    /// decoded (on another blocking thread) while the current one goes through the vision towers, so decoding
    /// overlaps the towers instead of adding to them.
    func embed(_ images: [(path: String, bytes: Data)]) async -> [Result<[String: [Float]], ItemImageFailure>] {
        let batches = stride(from: 0, to: images.count, by: imagesPerBatch).map {
            Array(images[$0..<min($0 + imagesPerBatch, images.count)])
        }
        var results: [Result<[String: [Float]], ItemImageFailure>] = []
        var pending = batches.first.map { batch in Task { await decode(batch) } }
        for index in batches.indices {
            let decoded = await pending!.value
            pending = index + 1 < batches.count ? Task { [batches] in await decode(batches[index + 1]) } : nil
            let good = decoded.compactMap { try? $0.get() }
            var vectorsBySpace: [String: [[Float]]] = [:]
            var embeddingFailure: ItemImageFailure?
            for space in spaces where !good.isEmpty {
                let embedder = space.imageEmbedder!
                do {
                    vectorsBySpace[space.name] = try await blockingWork.run { try embedder.embed(images: good) }
                } catch {
                    embeddingFailure = ItemImageFailure(message: "image_embedding_failed: \(space.name): \(error)")
                    break
                }
            }
            var next = 0
            for result in decoded {
                switch result {
                case .failure(let failure):
                    results.append(.failure(failure))
                case .success:
                    if let embeddingFailure {
                        results.append(.failure(embeddingFailure))
                    } else {
                        results.append(.success(vectorsBySpace.mapValues { $0[next] }))
                    }
                    next += 1
                }
            }
        }
        return results
    }

    /// Decodes one batch; an image that cannot be decoded fails only its own entry.
    private func decode(_ batch: [(path: String, bytes: Data)]) async -> [Result<RGBImage, ItemImageFailure>] {
        let decoder = self.decoder
        return
            (try? await blockingWork.run {
                batch.map { image -> Result<RGBImage, ItemImageFailure> in
                    do throws(ImageDecodingError) {
                        return .success(try decoder.decode(image.bytes))
                    } catch {
                        return .failure(ItemImageFailure(message: "\(error.code): \(error.message) (\(image.path))"))
                    }
                }
            }) ?? batch.map { _ in .failure(ItemImageFailure(message: "image_unreadable: decoding did not run")) }
    }
}

/// Why an item's image could not be embedded, as the job's per-item error shows it (`code: message (path)`).
struct ItemImageFailure: Error, Sendable, CustomStringConvertible {
    let message: String
    var description: String { message }
}
