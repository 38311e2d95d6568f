import CQuantKernels
import Testing

/// The kernel levels are not nested (AMD Zen 4 has AVX-512 VNNI but not AVX-VNNI), so asking for a level the CPU
/// lacks must run one it has: an `_at_level` call never executes an instruction the CPU cannot.
@Suite struct KernelLevelTests {
    static let allLevels: [Int32] = [CQ_LEVEL_PORTABLE, CQ_LEVEL_AVX2, CQ_LEVEL_AVXVNNI, CQ_LEVEL_AVX512VNNI].map(
        Int32.init)

    @Test func theBestLevelIsOneThisCPUSupports() {
        #expect(cq_level_is_supported(cq_supported_level()) != 0)
        #expect(cq_level_is_supported(Int32(CQ_LEVEL_PORTABLE)) != 0)
        for level in Self.allLevels where level > cq_supported_level() {
            #expect(cq_level_is_supported(level) == 0, "level \(level) is above the best, \(cq_supported_level())")
        }
    }

    @Test(arguments: allLevels)
    func aRequestedLevelRunsTheNearestSupportedOneAtOrBelowIt(level: Int32) {
        let clamped = cq_clamped_level(level)
        #expect(cq_level_is_supported(clamped) != 0)
        #expect(clamped <= level)
        if cq_level_is_supported(level) != 0 {
            #expect(clamped == level)
        } else {
            // Nothing supported lies between the clamped level and the requested one.
            for between in (clamped + 1)..<level { #expect(cq_level_is_supported(between) == 0) }
        }
    }

    @Test func levelsOutsideTheRangeAreClampedIntoIt() {
        #expect(cq_clamped_level(99) == cq_supported_level())
        #expect(cq_clamped_level(-1) == Int32(CQ_LEVEL_PORTABLE))
        #expect(cq_level_is_supported(99) == 0)
    }
}
