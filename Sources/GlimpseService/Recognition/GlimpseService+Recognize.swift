import Foundation
import GlimpseAPI
import GlimpseImage

extension GlimpseService {
    /// `POST /v1/recognize`: the image (its file bytes) decoded as for a search by image, embedded in the labeler's
    /// space, and its `k` most probable labels named in `language`.
    public func recognize(_ imageBytes: Data, language: RecognizeLanguage, k requestedK: Int?) async throws
        -> RecognizeResponse
    {
        let k = requestedK ?? RecognizeLimits.defaultK
        guard (1...RecognizeLimits.maxK).contains(k) else {
            throw ServiceError.invalid(.invalidK, "k must be between 1 and \(RecognizeLimits.maxK), got \(k)")
        }
        guard let labeler, let space = spaces.first(where: { $0.name == labeler.spaceName }),
            let embedder = space.imageEmbedder
        else {
            throw ServiceError.invalid(
                .noImageSpace,
                "no embedding space of this daemon embeds images; configure a CLIP space (\"kind\": \"clip\" in spaces) to recognize images"
            )
        }
        let decoder = ImageDecoder(limits: configuration.imageDecodingLimits)
        let image: RGBImage
        do {
            image = try await blockingWork.run { try decoder.decode(imageBytes) }
        } catch let error as ImageDecodingError {
            throw ServiceError.invalid(
                APIErrorCode(rawValue: error.code) ?? .imageCorrupt, "the image cannot be recognised: \(error.message)")
        }
        let vector = try await blockingWork.run { try embedder.embed(images: [image])[0] }
        let labels = try await labeler.labels(forImageVector: vector, count: k)
        return RecognizeResponse(
            labels: labels.map {
                RecognizeLabel(
                    labelEnglish: language == .chinese ? nil : $0.english,
                    labelChinese: language == .english ? nil : $0.chinese, probability: $0.probability)
            }, space: labeler.spaceName)
    }
}
