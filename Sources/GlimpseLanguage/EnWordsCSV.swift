/// Reads the two-column CSV `cedict/csv/EnWords.csv` of the PyPI package cedict 0.1.0: a header
/// `"word","translation"`, then one English headword and its Chinese glosses per line. Fields are quoted, except
/// the bare `NULL` some 120 headwords have instead of a translation (read as no translation).
enum EnWordsCSV {
    static let header = ["word", "translation"]

    /// Rows after the header; `lineNumber` is 1-based in the file.
    static func rows(of text: String, path: String) throws(DictionaryError) -> [(
        lineNumber: Int, word: String, translation: String
    )] {
        var rows: [(Int, String, String)] = []
        var lineNumber = 0
        var sawHeader = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(line)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty { continue }
            guard let fields = fields(of: line), fields.count == 2 else {
                throw .corrupt(
                    path: path, line: lineNumber,
                    reason: "expected two quoted CSV fields, got \(String(line.prefix(80)).debugDescription)")
            }
            if !sawHeader {
                guard fields == header else {
                    throw .corrupt(path: path, line: lineNumber, reason: "the header is not \"word\",\"translation\"")
                }
                sawHeader = true
                continue
            }
            rows.append((lineNumber, fields[0], fields[1]))
        }
        guard sawHeader else { throw .corrupt(path: path, line: 1, reason: "the file is empty") }
        guard !rows.isEmpty else { throw .corrupt(path: path, line: lineNumber, reason: "no entries after the header") }
        return rows
    }

    /// Splits one line of quoted fields (`""` is a literal quote) or bare `NULL`s; nil if the quoting is broken.
    static func fields(of line: Substring) -> [String]? {
        var fields: [String] = []
        var index = line.startIndex
        while true {
            if line[index...].hasPrefix("NULL") {
                let end = line.index(index, offsetBy: 4)
                if end == line.endIndex || line[end] == "," {
                    fields.append("")
                    index = end
                    if index == line.endIndex { return fields }
                    index = line.index(after: index)
                    continue
                }
            }
            guard index < line.endIndex, line[index] == "\"" else { return nil }
            index = line.index(after: index)
            var field = ""
            while true {
                guard index < line.endIndex else { return nil }
                let character = line[index]
                index = line.index(after: index)
                if character == "\"" {
                    if index < line.endIndex, line[index] == "\"" {
                        field.append("\"")
                        index = line.index(after: index)
                    } else {
                        break
                    }
                } else {
                    field.append(character)
                }
            }
            fields.append(field)
            if index == line.endIndex { return fields }
            guard line[index] == "," else { return nil }
            index = line.index(after: index)
        }
    }
}
