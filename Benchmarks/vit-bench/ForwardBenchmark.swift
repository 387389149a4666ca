import Foundation
import Tensors
import VisionTransformer

/// Times the forward pass at one batch size.
enum ForwardBenchmark {
    struct Result: Encodable {
        let batchSize: Int
        let latency: Timings
        let imagesPerSecond: Double
        let gflopsPerSecond: Double
        let roofFraction: Double
        /// Mean milliseconds per forward pass spent in each stage.
        let stages: [String: Double]

        enum CodingKeys: String, CodingKey {
            case batchSize = "batch_size", latency = "latency_ms", imagesPerSecond = "images_per_second"
            case gflopsPerSecond = "gflops_per_second", roofFraction = "roof_fraction", stages = "stages_ms"
        }
    }

    /// Random pixels in [−1, 1] (what mean = std = 0.5 normalisation produces).
    static func pixels(_ model: ViTForImageClassification, batch: Int) -> [Float] {
        var state: UInt32 = 2_463_534_242
        return (0..<(batch * model.inputCount)).map { _ in
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            return Float(state >> 8) / Float(1 << 23) - 1
        }
    }

    static func run(_ model: ViTForImageClassification, batch: Int, pool: ThreadPool, warmup: Int, iterations: Int,
                    roof: Double) -> Result {
        let input = pixels(model, batch: batch)
        var logits = [Float](repeating: 0, count: batch * model.labelCount)
        let state = ForwardState(model: model, batchCapacity: batch, pool: pool)
        let profile = StageProfile()
        var seconds: [Double] = []
        input.withUnsafeBufferPointer { pixels in
            logits.withUnsafeMutableBufferPointer { output in
                for _ in 0..<warmup {
                    model.logits(pixels: pixels, batch: batch, into: output, state: state)
                }
                state.profile = profile
                seconds = measure(warmup: 0, iterations: iterations) {
                    model.logits(pixels: pixels, batch: batch, into: output, state: state)
                }
            }
        }
        let latency = Timings(seconds)
        let gflops = model.flopsPerImage * Double(batch) / latency.median / 1e9
        var stages: [String: Double] = [:]
        for stage in ForwardStage.allCases {
            stages[stage.name] = profile.seconds(in: stage) / Double(max(1, profile.passes)) * 1000
        }
        return Result(batchSize: batch,
                      latency: Timings(seconds.map { $0 * 1000 }),
                      imagesPerSecond: Double(batch) / latency.median,
                      gflopsPerSecond: gflops, roofFraction: gflops / roof, stages: stages)
    }

    /// Heap allocations per forward pass after a warm-up pass, or `nil` when allocations cannot be
    /// counted on this platform.
    static func allocationsPerPass(_ model: ViTForImageClassification, batch: Int, pool: ThreadPool,
                                   passes: Int) -> Int? {
        let input = pixels(model, batch: batch)
        var logits = [Float](repeating: 0, count: batch * model.labelCount)
        let state = ForwardState(model: model, batchCapacity: batch, pool: pool)
        return input.withUnsafeBufferPointer { pixels in
            logits.withUnsafeMutableBufferPointer { output in
                model.logits(pixels: pixels, batch: batch, into: output, state: state)
                let count = AllocationCheck.count {
                    for _ in 0..<passes {
                        model.logits(pixels: pixels, batch: batch, into: output, state: state)
                    }
                }
                return count.map { $0 / passes }
            }
        }
    }
}
