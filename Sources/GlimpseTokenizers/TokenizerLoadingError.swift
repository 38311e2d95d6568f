/// Why a Hugging Face tokenizer folder could not be loaded; each case names the file and what is wrong with it.
public enum TokenizerLoadingError: Error, Equatable, CustomStringConvertible {
    /// The folder has neither vocab.json + merges.txt (CLIP) nor vocab.txt (BERT).
    case noTokenizerFiles(folder: String)
    case fileMissing(path: String)
    case unreadable(path: String, reason: String)
    case malformedVocabulary(path: String, problem: String)
    /// `line` counts from 1 and includes a "#version" header line.
    case malformedMerges(path: String, line: Int, problem: String)
    case malformedConfiguration(path: String, problem: String)
    /// A token the tokenizer cannot work without (start/end of text, [CLS], [SEP], [UNK]) is not in the vocabulary.
    case missingSpecialToken(token: String, path: String)
    case unsupportedTokenizerClass(name: String, path: String)

    public var description: String {
        switch self {
        case .noTokenizerFiles(let folder):
            "\(folder) has no tokenizer files: expected vocab.json and merges.txt (CLIP) or vocab.txt (BERT)"
        case .fileMissing(let path):
            "tokenizer file not found: \(path)"
        case .unreadable(let path, let reason):
            "tokenizer file \(path) could not be read: \(reason)"
        case .malformedVocabulary(let path, let problem):
            "tokenizer vocabulary \(path) is malformed: \(problem)"
        case .malformedMerges(let path, let line, let problem):
            "tokenizer merges file \(path) is malformed at line \(line): \(problem)"
        case .malformedConfiguration(let path, let problem):
            "tokenizer configuration \(path) is malformed: \(problem)"
        case .missingSpecialToken(let token, let path):
            "tokenizer vocabulary \(path) lacks the special token \(token)"
        case .unsupportedTokenizerClass(let name, let path):
            "\(path) names tokenizer_class \(name); only CLIPTokenizer and BertTokenizer are supported"
        }
    }
}
