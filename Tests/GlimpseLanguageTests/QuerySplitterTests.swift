import GlimpseLanguage
import Testing

struct QuerySplitterTests {
    @Test func splitsAChineseAndAnEnglishRun() {
        #expect(QuerySplitter.split("红色汽车 red car") == [QueryPart("红色汽车", .chinese), QueryPart("red car", .english)])
    }

    @Test func keepsTheOrderTheRunsWereTypedIn() {
        #expect(QuerySplitter.split("red car 红色汽车") == [QueryPart("red car", .english), QueryPart("红色汽车", .chinese)])
    }

    @Test func runsWithoutSpacesBetweenScriptsAreSplitToo() {
        #expect(QuerySplitter.split("iPhone手机") == [QueryPart("iPhone", .english), QueryPart("手机", .chinese)])
    }

    @Test func neutralCharactersInsideARunStayAndAtItsEdgesGo() {
        #expect(
            QuerySplitter.split("“polar bear”，北极熊！") == [QueryPart("polar bear", .english), QueryPart("北极熊", .chinese)])
        #expect(QuerySplitter.split("3 red cars") == [QueryPart("red cars", .english)])
    }

    @Test func alternatingRunsOfOneLanguageAreJoined() {
        #expect(
            QuerySplitter.split("dog 狗 puppy 小狗") == [
                QueryPart("dog", .english), QueryPart("狗", .chinese), QueryPart("puppy", .english),
                QueryPart("小狗", .chinese),
            ])
    }

    @Test func singleLanguageQueryIsOnePart() {
        #expect(QuerySplitter.split("a dog on grass") == [QueryPart("a dog on grass", .english)])
        #expect(QuerySplitter.split("草地上的狗") == [QueryPart("草地上的狗", .chinese)])
        #expect(QuerySplitter.split("123 🐶").isEmpty)
    }
}
