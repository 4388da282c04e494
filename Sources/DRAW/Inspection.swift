// Inspection.swift: reconstructing a batch step by step, with the read and write windows, for plots and tests.
import DRAWKernels

/// What the model did on a batch: every canvas and every attention window.
public struct Reconstruction: Sendable {
    public let count: Int
    public let config: DRAWConfig
    /// sigmoid(c_t) for t = 1…T: `[T][B][C][H][W]` row-major.
    public let canvases: [Float]
    /// Σ over the pixels of sigmoid(c_t), `[T][B]`, summed in Float64.
    public let canvasSums: [Double]
    /// The KL of each step, `[T][B]` nats (each image's KL is their sum over t).
    public let stepKL: [Float]
    /// Read and write windows `[T][B][5]` as (gx, gy, σ², δ, γ) after the transforms; empty without attention.
    public let readAttention: [Float]
    public let writeAttention: [Float]
    /// The batch's losses in the same pass.
    public let losses: LossReport

    /// sigmoid(c_t) of image `image`, `[C][H][W]`; t is 1-based.
    public func canvas(step t: Int, image: Int) -> ArraySlice<Float> {
        let P = config.pixels, start = ((t - 1) * count + image) * P
        return canvases[start..<(start + P)]
    }

    /// (gx, gy, σ², δ, γ) of the read (or write) window at step t (1-based) for `image`.
    public func window(read: Bool, step t: Int, image: Int) -> ArraySlice<Float> {
        let start = ((t - 1) * count + image) * 5
        return (read ? readAttention : writeAttention)[start..<(start + 5)]
    }
}

extension DRAWModel {
    /// Runs the batch through the model (z = μ unless `mode` says otherwise) and returns every step's canvas
    /// and attention windows. Gradients and parameters are untouched.
    public func reconstruct(batch: [Float], mode: LatentMode = .mean) throws -> Reconstruction {
        try batch.withUnsafeBufferPointer { images in
            let k = try prepare(images: images, mode: mode, canvasHistory: true)
            let losses = forward(k, mode: mode)
            let B = k.batch, T = config.steps, P = config.pixels
            var canvases = [Float](repeating: 0, count: T * B * P)
            var sums = [Double](repeating: 0, count: T * B)
            canvases.withUnsafeMutableBufferPointer { out in
                sums.withUnsafeMutableBufferPointer { s in
                    for t in 1...T {
                        sigmoid(out.baseAddress! + (t - 1) * B * P, of: k.canvas[t], rows: B, P,
                                sums: s.baseAddress! + (t - 1) * B)
                    }
                }
            }
            let n = config.attention ? T * B * 5 : 0
            let read = Array(UnsafeBufferPointer(start: k.readParams[1], count: n))
            let write = Array(UnsafeBufferPointer(start: k.writeParams[1], count: n))
            let stepKL = (1...T).flatMap { Array(UnsafeBufferPointer(start: k.kl[$0], count: B)) }
            return Reconstruction(count: B, config: config, canvases: canvases, canvasSums: sums, stepKL: stepKL,
                                  readAttention: read, writeAttention: write, losses: losses)
        }
    }
}
