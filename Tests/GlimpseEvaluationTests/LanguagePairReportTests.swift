import GlimpseEvaluation
import Testing

struct LanguagePairReportTests {
    let photos = [
        EvalPhoto(path: "dog/1.jpg", labelEnglish: "dog", labelChinese: "狗", captionLanguage: "zh", caption: "一只狗"),
        EvalPhoto(path: "fish/1.jpg", labelEnglish: "fish", labelChinese: "鱼", captionLanguage: "zh", caption: "一条鱼"),
        EvalPhoto(
            path: "fish/2.jpg", labelEnglish: "fish", labelChinese: "鱼", captionLanguage: "en", caption: "a fish"),
    ]

    @Test func labelsGroupTheirPhotosByCaptionLanguage() {
        let labels = LabelQueries.make(from: photos)
        #expect(labels.map(\.english) == ["dog", "fish"])
        #expect(labels[1].photosByLanguage == ["zh": ["fish/1.jpg"], "en": ["fish/2.jpg"]])
    }

    @Test func aLabelInBothLanguagesIsScoredAsSameAndCrossPairWithoutItsOtherPhotos() {
        let fish = LabelQueries.make(from: photos)[1]
        var report = LanguagePairReport()
        // The English query finds the English-captioned fish first, the Chinese one third.
        report.add(
            label: fish, chineseRanking: ["fish/1.jpg", "dog/1.jpg"],
            englishRanking: ["fish/2.jpg", "dog/1.jpg", "fish/1.jpg"])
        #expect(report.pairs["en→en"]?.recallAt1 == 1)
        // With the same-language photo hidden the Chinese-captioned one is at rank 2.
        #expect(report.pairs["en→zh"]?.meanReciprocalRank == 0.5)
        #expect(report.pairs["zh→zh"]?.recallAt1 == 1)
        #expect(report.pairs["zh→en"]?.recallAt5 == 0)
        #expect(report.meanOverlap == 2.0 / 3.0)
    }

    @Test func evalSetParsingRefusesMalformedRows() throws {
        let header = EvalSet.header.joined(separator: "\t")
        let good = try EvalSet.parse(header + "\ndog/1.jpg\tdog\t狗\tzh\t一只狗\n", name: "t")
        #expect(good == [photos[0]])
        #expect(throws: EvalSetError.self) {
            try EvalSet.parse(header + "\ndog/1.jpg\tdog\t狗\tfr\tun chien\n", name: "t")
        }
        #expect(throws: EvalSetError.self) { try EvalSet.parse(header + "\ndog/1.jpg\tdog\t狗\tzh\n", name: "t") }
        #expect(throws: EvalSetError.self) { try EvalSet.parse("path\tcaption\n", name: "t") }
    }

    @Test func ambiguityRowsNameAPhotoOrCarryTheirOwnCaption() throws {
        let header = AmbiguityItem.header.joined(separator: "\t")
        let items = try AmbiguityItem.parse(
            header + "\napple\tfruit\tapple/1.jpg\t-\t-\napple\tcompany\tambiguity/phone\ten\tan Apple phone\n",
            name: "t")
        #expect(items.map(\.sense) == ["fruit", "company"])
        #expect(items[0].caption == nil)
        #expect(items[1].caption?.language == "en" && items[1].caption?.text == "an Apple phone")
        #expect(throws: EvalSetError.self) {
            try AmbiguityItem.parse(header + "\napple\tfruit\tapple/1.jpg\t-\n", name: "t")
        }
        #expect(throws: EvalSetError.self) { try AmbiguityItem.parse("query\tsense\n", name: "t") }
    }
}
