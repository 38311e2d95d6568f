import Foundation
import GlimpseEvaluation
import GlimpseTestSupport
import GlimpseTransformer
import Testing

/// The fp32 `TowerLinear` against a naive double-precision product, for both ways it cuts a product into tasks
/// (by output columns, by rows) at odd sizes, with and without bias, activation and residual accumulation.
@Suite struct TowerLinearTests {
    /// input·Wᵀ + b, then quick-GELU or += into `start`, in Double.
    static func reference(
        input: [Float], rows: Int, weight: [Float], bias: [Float]?, outputs: Int, inputs: Int,
        activation: TransformerActivation?, start: [Float]?
    ) -> [Float] {
        var result = [Float](repeating: 0, count: rows * outputs)
        for r in 0..<rows {
            for o in 0..<outputs {
                var sum = Double(bias?[o] ?? 0)
                for i in 0..<inputs { sum += Double(input[r * inputs + i]) * Double(weight[o * inputs + i]) }
                if activation != nil { sum /= 1 + exp(-1.702 * sum) }
                result[r * outputs + o] = Float(sum) + (start?[r * outputs + o] ?? 0)
            }
        }
        return result
    }

    @Test func splitCutsAcrossTheSideWhosePackingIsRepeatedLess() {
        let wide = TowerLinear.FP32Split(rows: 400, outputs: 2304, threads: 2, parallel: true)
        #expect(!wide.byRows && wide.tasks == 2)
        let tall = TowerLinear.FP32Split(rows: 1576, outputs: 768, threads: 2, parallel: true)
        #expect(tall.byRows && tall.tasks == 2)
        #expect(TowerLinear.FP32Split(rows: 1576, outputs: 768, threads: 2, parallel: false).tasks == 1)
        // Every (row, column) is covered exactly once, column cuts on multiples of 16.
        for split in [wide, tall, TowerLinear.FP32Split(rows: 37, outputs: 45, threads: 3, parallel: true)] {
            let (rows, outputs) =
                split.byRows ? (1576, 768) : (split.tasks == 3 ? 37 : 400, split.tasks == 3 ? 45 : 2304)
            var covered = [Int](repeating: 0, count: rows * outputs)
            for task in 0..<split.tasks {
                let part = split.part(task, rows: rows, outputs: outputs)
                if !split.byRows { #expect(part.columns.lowerBound % 16 == 0) }
                for r in part.rows { for c in part.columns { covered[r * outputs + c] += 1 } }
            }
            #expect(covered.allSatisfy { $0 == 1 })
        }
    }

    @Test(arguments: [
        (rows: 37, outputs: 45, inputs: 29), (rows: 731, outputs: 19, inputs: 77),
        (rows: 97, outputs: 161, inputs: 300),
    ])
    func fp32MatchesANaiveProductForEverySplit(rows: Int, outputs: Int, inputs: Int) {
        var random = SplitMix64(seed: UInt64(rows * 1000 + outputs))
        let weight = (0..<(outputs * inputs)).map { _ in random.nextGaussianLike() * 0.2 }
        let bias = (0..<outputs).map { _ in random.nextGaussianLike() }
        let input = (0..<(rows * inputs)).map { _ in random.nextGaussianLike() }
        let start = (0..<(rows * outputs)).map { _ in random.nextGaussianLike() }
        let linear = TowerLinear(weight: weight, bias: bias, outputs: outputs, inputs: inputs, precision: .fp32)
        let plain = TowerLinear(weight: weight, bias: nil, outputs: outputs, inputs: inputs, precision: .fp32)
        // The first size runs on one task; the others reach parallelProducts (2^20) and are cut by rows (731 × 19)
        // and by columns (97 × 161); 1 thread never splits.
        for threads in [1, 2, 3] {
            let pool = WorkerPool(threadCount: threads)
            for (layer, activation, accumulate) in [
                (linear, nil, false), (linear, TransformerActivation.quickGELU, false), (linear, nil, true),
                (plain, nil, false),
            ] as [(TowerLinear, TransformerActivation?, Bool)] {
                var output = accumulate ? start : [Float](repeating: .nan, count: rows * outputs)
                input.withUnsafeBufferPointer { x in
                    output.withUnsafeMutableBufferPointer { y in
                        layer.apply(
                            x.baseAddress!, rows: rows, activation: activation, accumulate: accumulate,
                            into: y.baseAddress!, pool: pool)
                    }
                }
                let expected = Self.reference(
                    input: input, rows: rows, weight: weight, bias: layer.bias, outputs: outputs, inputs: inputs,
                    activation: activation, start: accumulate ? start : nil)
                let worst = zip(output, expected).map { abs($0 - $1) }.max() ?? .nan
                #expect(worst <= 2e-5 * Float(inputs).squareRoot(), "\(threads) threads, accumulate \(accumulate)")
            }
        }
    }

    @Test func largeProductsAreSplitBothWays() {
        // 300 rows × 40 outputs × 100 inputs = 1.2M products ≥ parallelProducts, cut by rows; 40 × 300 by columns.
        for (rows, outputs) in [(300, 40), (40, 300)] {
            let inputs = 100
            var random = SplitMix64(seed: UInt64(rows))
            let weight = (0..<(outputs * inputs)).map { _ in random.nextGaussianLike() * 0.2 }
            let bias = (0..<outputs).map { _ in random.nextGaussianLike() }
            let input = (0..<(rows * inputs)).map { _ in random.nextGaussianLike() }
            let linear = TowerLinear(weight: weight, bias: bias, outputs: outputs, inputs: inputs, precision: .fp32)
            let split = TowerLinear.FP32Split(rows: rows, outputs: outputs, threads: 2, parallel: true)
            #expect(split.byRows == (rows > outputs) && split.tasks == 2)
            var output = [Float](repeating: .nan, count: rows * outputs)
            input.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    linear.apply(x.baseAddress!, rows: rows, into: y.baseAddress!, pool: WorkerPool(threadCount: 2))
                }
            }
            let expected = Self.reference(
                input: input, rows: rows, weight: weight, bias: bias, outputs: outputs, inputs: inputs,
                activation: nil, start: nil)
            #expect(zip(output, expected).allSatisfy { abs($0 - $1) <= 2e-4 }, "\(rows) × \(outputs)")
        }
    }
}
