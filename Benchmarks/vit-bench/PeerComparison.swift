import Foundation
import Tensors
import VisionTransformer

/// `--versus`: the same model in a second number format, timed pass by pass in turn with the first
/// (one pass of each, then the next pair), so that both see the same machine from second to second
/// and each pair's time ratio is a speed-up that noise moves little. Quote the median ratio.
enum PeerComparison {
    struct Result: Encodable {
        let batchSize: Int
        /// The peer's number format.
        let peerCompute: String
        let latency: Timings
        let peerLatency: Timings
        /// Per pair: the peer's time over ours (above 1: we are faster).
        let speedup: Timings

        enum CodingKeys: String, CodingKey {
            case batchSize = "batch_size", peerCompute = "peer_compute", latency = "latency_ms"
            case peerLatency = "peer_latency_ms", speedup
        }
    }

    static func run(_ model: ViTForImageClassification, peer: ViTForImageClassification, batch: Int, pool: ThreadPool,
                    warmup: Int, iterations: Int) -> Result {
        let input = ForwardBenchmark.pixels(model, batch: batch)
        var logits = [Float](repeating: 0, count: batch * model.labelCount)
        let state = ForwardState(model: model, batchCapacity: batch, pool: pool)
        let peerState = ForwardState(model: peer, batchCapacity: batch, pool: pool)
        var ours: [Double] = [], theirs: [Double] = []
        input.withUnsafeBufferPointer { pixels in
            logits.withUnsafeMutableBufferPointer { output in
                func pass(_ model: ViTForImageClassification, _ state: ForwardState) -> Double {
                    measure(warmup: 0, iterations: 1) {
                        model.logits(pixels: pixels, batch: batch, into: output, state: state)
                    }[0]
                }
                for _ in 0..<warmup {
                    _ = pass(model, state)
                    _ = pass(peer, peerState)
                }
                for index in 0..<iterations {
                    // Who goes first alternates too, so neither always runs on a just-warmed cache.
                    if index % 2 == 0 {
                        ours.append(pass(model, state))
                        theirs.append(pass(peer, peerState))
                    } else {
                        theirs.append(pass(peer, peerState))
                        ours.append(pass(model, state))
                    }
                }
            }
        }
        return Result(batchSize: batch, peerCompute: peer.computePrecision.description,
                      latency: Timings(ours.map { $0 * 1000 }), peerLatency: Timings(theirs.map { $0 * 1000 }),
                      speedup: Timings(zip(theirs, ours).map { $0 / $1 }))
    }
}
