import GlimpseLanguage
import Testing

struct LanguageDetectorTests {
    @Test func hanCharactersAreChinese() {
        #expect(LanguageDetector.detect("狗") == .single(.chinese))
        #expect(LanguageDetector.detect("一只狗在草地上。") == .single(.chinese))
        #expect(LanguageDetector.detect("  猫头鹰 2 只！") == .single(.chinese))
    }

    @Test func latinLettersAreEnglish() {
        #expect(LanguageDetector.detect("dog") == .single(.english))
        #expect(LanguageDetector.detect("A polar bear, 2 cubs!") == .single(.english))
        #expect(LanguageDetector.detect("café crème") == .single(.english))
    }

    @Test func bothScriptsAreMixed() {
        #expect(LanguageDetector.detect("红色汽车 red car") == .mixed)
        #expect(LanguageDetector.detect("iPhone手机") == .mixed)
    }

    @Test func textWithoutEitherScriptIsUnknown() {
        #expect(LanguageDetector.detect("123 !?") == .unknown)
        #expect(LanguageDetector.detect("🐶") == .unknown)
        #expect(LanguageDetector.detect("собака") == .unknown)
        #expect(LanguageDetector.detect("") == .unknown)
    }

    @Test func rareHanExtensionsCountAsChinese() {
        // U+3400 (extension A) and U+20000 (extension B) are Han too.
        #expect(LanguageDetector.detect("\u{3400}") == .single(.chinese))
        #expect(LanguageDetector.detect("\u{20000}") == .single(.chinese))
    }
}
