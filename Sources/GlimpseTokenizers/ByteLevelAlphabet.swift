/// GPT-2/CLIP's byte-level alphabet: every byte gets a printable Unicode character, so a BPE vocabulary of strings
/// covers any UTF-8 input without an unknown token. Printable Latin-1 bytes stand for themselves; the other 68
/// bytes (controls, space, DEL, NBSP, soft hyphen) map to U+0100 onwards in byte order ("Ġ" is the space).
package enum ByteLevelAlphabet {
    /// The character standing for each byte.
    package static let characters: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// `bytes` spelt in the alphabet, as UTF-8 (the form vocabulary keys are looked up in).
    package static func spelling(of bytes: some Sequence<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        for byte in bytes { result.append(contentsOf: String(characters[Int(byte)]).utf8) }
        return result
    }
}
