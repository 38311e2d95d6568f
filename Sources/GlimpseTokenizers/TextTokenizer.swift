/// Text → the token ids a text tower sees, special tokens included, truncated to `maximumLength` the way
/// `transformers`' `tokenizer(text, truncation=True)["input_ids"]` does.
///
/// `ByteLevelBPETokenizer` (CLIP) and `WordPieceTokenizer` (BERT, Chinese-CLIP) conform;
/// `HuggingFaceTokenizer.load(folder:)` picks the one a model folder needs.
public protocol TextTokenizer: Sendable {
    /// The longest id sequence `tokenIDs` returns (the tokenizer's `model_max_length`).
    var maximumLength: Int { get }
    func tokenIDs(_ text: String) -> [Int]
}
