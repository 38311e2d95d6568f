import GlimpseEmbedding
import GlimpseTokenizers
import GlimpseTransformer

extension EmbeddingRole {
    /// The prefix E5 prepends before tokenising: the model was trained with it and expects it at inference time.
    var e5Prefix: String {
        switch self {
        case .query: "query: "
        case .passage: "passage: "
        }
    }
}
