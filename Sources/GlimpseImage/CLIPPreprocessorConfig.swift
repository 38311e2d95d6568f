/// The parts of a Hugging Face `preprocessor_config.json` that `CLIPImageProcessor` (and Chinese-CLIP's) use.
/// Missing keys take `CLIPImageProcessor`'s defaults; `size` and `crop_size` may be a number (old configs) or an
/// object, as transformers' `get_size_dict` accepts.
public struct CLIPPreprocessorConfig: Sendable, Equatable, Decodable {
    public enum Size: Sendable, Equatable {
        /// Resize so the shorter edge has this length, keeping the aspect ratio.
        case shortestEdge(Int)
        /// Resize to exactly this size.
        case exact(height: Int, width: Int)
    }

    /// PIL resampling filters by their numeric value in configs.
    public enum Resample: Int, Sendable, Equatable, Decodable {
        case bilinear = 2
        case bicubic = 3
    }

    public var doResize: Bool = true
    public var size: Size = .shortestEdge(224)
    public var resample: Resample = .bicubic
    public var doCenterCrop: Bool = true
    public var cropHeight: Int = 224
    public var cropWidth: Int = 224
    public var doRescale: Bool = true
    public var rescaleFactor: Double = 1.0 / 255.0
    public var doNormalize: Bool = true
    public var imageMean: [Double] = [0.48145466, 0.4578275, 0.40821073]
    public var imageStd: [Double] = [0.26862954, 0.26130258, 0.27577711]
    public var doConvertRGB: Bool = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case doResize = "do_resize"
        case size, resample
        case doCenterCrop = "do_center_crop"
        case cropSize = "crop_size"
        case doRescale = "do_rescale"
        case rescaleFactor = "rescale_factor"
        case doNormalize = "do_normalize"
        case imageMean = "image_mean"
        case imageStd = "image_std"
        case doConvertRGB = "do_convert_rgb"
    }

    private struct SizeObject: Decodable {
        var shortest_edge: Int?
        var longest_edge: Int?
        var height: Int?
        var width: Int?
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        doResize = try c.decodeIfPresent(Bool.self, forKey: .doResize) ?? doResize
        if let edge = try? c.decodeIfPresent(Int.self, forKey: .size) {
            size = .shortestEdge(edge)
        } else if let object = try c.decodeIfPresent(SizeObject.self, forKey: .size) {
            if object.longest_edge != nil {
                throw DecodingError.dataCorruptedError(
                    forKey: .size, in: c, debugDescription: "size.longest_edge is not supported")
            }
            if let edge = object.shortest_edge {
                size = .shortestEdge(edge)
            } else if let height = object.height, let width = object.width {
                size = .exact(height: height, width: width)
            } else {
                throw DecodingError.dataCorruptedError(
                    forKey: .size, in: c, debugDescription: "size needs shortest_edge or height and width")
            }
        }
        resample = try c.decodeIfPresent(Resample.self, forKey: .resample) ?? resample
        doCenterCrop = try c.decodeIfPresent(Bool.self, forKey: .doCenterCrop) ?? doCenterCrop
        if let edge = try? c.decodeIfPresent(Int.self, forKey: .cropSize) {
            (cropHeight, cropWidth) = (edge, edge)
        } else if let object = try c.decodeIfPresent(SizeObject.self, forKey: .cropSize) {
            guard let height = object.height, let width = object.width else {
                throw DecodingError.dataCorruptedError(
                    forKey: .cropSize, in: c, debugDescription: "crop_size needs height and width")
            }
            (cropHeight, cropWidth) = (height, width)
        }
        doRescale = try c.decodeIfPresent(Bool.self, forKey: .doRescale) ?? doRescale
        rescaleFactor = try c.decodeIfPresent(Double.self, forKey: .rescaleFactor) ?? rescaleFactor
        doNormalize = try c.decodeIfPresent(Bool.self, forKey: .doNormalize) ?? doNormalize
        imageMean = try Self.perChannel(c, .imageMean) ?? imageMean
        imageStd = try Self.perChannel(c, .imageStd) ?? imageStd
        doConvertRGB = try c.decodeIfPresent(Bool.self, forKey: .doConvertRGB) ?? doConvertRGB
        let sizes =
            [cropHeight, cropWidth]
            + {
                switch size {
                case .shortestEdge(let edge): [edge]
                case .exact(let height, let width): [height, width]
                }
            }()
        guard sizes.allSatisfy({ $0 > 0 && $0 <= 8192 }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .size, in: c, debugDescription: "sizes must be between 1 and 8192")
        }
        guard imageStd.allSatisfy({ $0 != 0 }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .imageStd, in: c, debugDescription: "image_std must not be 0")
        }
    }

    /// A list of 3 values, or one number used for every channel (transformers accepts both).
    private static func perChannel(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [Double]? {
        if let single = try? c.decodeIfPresent(Double.self, forKey: key) { return [single, single, single] }
        guard let values = try c.decodeIfPresent([Double].self, forKey: key) else { return nil }
        guard values.count == 3 else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c, debugDescription: "\(key.rawValue) needs 3 values")
        }
        return values
    }
}
