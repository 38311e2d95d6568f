import Foundation
import GlimpseImage

/// The image check of a daemon without an image space: an item's picture is decoded as a CLIP daemon would decode
/// it, and the pixels thrown away, so a broken or non-image file fails its own item with the same code
/// (`image_truncated`, `image_unsupported_format`, `image_too_large`, …) instead of being stored unseen.
///
/// The reader already checked that the path is a regular, readable file under the image roots within
/// `image_max_file_bytes`. The format is sniffed from the leading bytes and the header checked against the
/// megapixel limit before any pixel is decoded. A header alone would pass a photo cut short after its header, so
/// the pixels are decoded too: a JPEG at 1/8 scale (libjpeg still reads every coefficient, so a truncated or
/// damaged file is found, at a fraction of the cost), other formats whole, one file at a time.
struct ImageFileCheck: Sendable {
    let limits: ImageDecodingLimits
    let blockingWork: BlockingWork

    /// Throws an `ItemImageFailure` (`code: message (path)`, as the image spaces report) when the image is broken.
    func check(_ bytes: Data, path: String) async throws {
        let decoder = ImageDecoder(limits: limits)
        let failure: ItemImageFailure? = try await blockingWork.run {
            do throws(ImageDecodingError) {
                // The smallest edge of 1 lets a JPEG decode at its smallest DCT scale.
                _ = try decoder.decode(bytes, reducedDecodingMinimumEdge: 1)
                return nil
            } catch {
                return ItemImageFailure(message: "\(error.code): \(error.message) (\(path))")
            }
        }
        if let failure { throw failure }
    }
}
