// Generation.swift: drawing from the prior (SPEC.md "Generation"): the decoder loop with z_t ~ N(0, I), no encoder.
import CKernels

/// The canvases of a drawing, step by step.
public struct DrawingSequence: Sendable {
    public let count: Int
    public let config: DRAWConfig
    /// sigmoid(c_t) for t = 1…T: `[T][count][C][H][W]` row-major; the last step is the image.
    public let frames: [Float]
    /// The write window per step and image, `[T][count][5]` as (gx, gy, σ², δ, γ); empty without attention.
    public let writeAttention: [Float]

    /// sigmoid(c_t) of image `image`, `[C][H][W]`; t is 1-based as in SPEC.md.
    public func frame(step t: Int, image: Int) -> ArraySlice<Float> {
        let P = config.pixels, start = ((t - 1) * count + image) * P
        return frames[start..<(start + P)]
    }

    /// The generated images sigmoid(c_T), `[count][C][H][W]`.
    public var images: ArraySlice<Float> { frames[((config.steps - 1) * count * config.pixels)...] }
}

extension DRAWModel {
    /// Draws `count` images from the prior. `z` is `[T][count][Z]` row-major; nil draws it from the model's RNG.
    public func sample(count n: Int, z: [Float]? = nil) throws -> DrawingSequence {
        let c = config, L = layout, p = params.base
        let T = c.steps, P = c.pixels, D = c.decSize, Z = c.zSize, Nw = c.writeN
        guard n >= 1 else { throw DRAWError.shapeMismatch(what: "sample count", expected: ">= 1", got: n) }
        _ = try batchSize(of: n * P, what: "sample count")
        // The head GEMM's first rows: write, and the write head with attention (the read head is not needed).
        let K = c.writeSize + (c.attention ? 5 : 0)
        var plan = FloatArena.Plan()
        let zOff = plan.reserve(T * n * Z), h = plan.reserve(n * D), cell = plan.reserve(n * D)
        let cellNext = plan.reserve(n * D), gates = plan.reserve(n * 4 * D), heads = plan.reserve(n * K)
        let canvas = plan.reserve(n * P), params5 = plan.reserve(n * 5)
        let fx = plan.reserve(n * Nw * c.width), fy = plan.reserve(n * Nw * c.height)
        let a = FloatArena(plan)
        if let z {
            guard z.count == T * n * Z else {
                throw DRAWError.shapeMismatch(what: "z", expected: "[T=\(T)][n=\(n)][Z=\(Z)] = \(T * n * Z)", got: z.count)
            }
            z.withUnsafeBufferPointer { copy(a[zOff], $0.baseAddress!, T * n * Z) }
        } else {
            withRNG { ck_randn(a[zOff], T * n * Z, $0) }
        }
        var frames = [Float](repeating: 0, count: T * n * P)
        var windows = [Float](repeating: 0, count: c.attention ? T * n * 5 : 0)
        var cPrev = a[cell], cNext = a[cellNext]
        for t in 1...T {
            // h_dec(t) = decoder(z_t): gates = W_ih z_t + b_ih + W_hh h_dec(t−1) + b_hh
            let zt = a[zOff] + (t - 1) * n * Z
            ck_linear_forward(a[gates], (4 * D).c, zt, Z.c, p + L.decWih, Z.c, p + L.decBih, n.c, Z.c, (4 * D).c, 0)
            ck_linear_forward(a[gates], (4 * D).c, a[h], D.c, p + L.decWhh, D.c, p + L.decBhh, n.c, D.c, (4 * D).c, 1)
            ck_lstm_forward(a[h], cNext, a[gates], a[gates], cPrev, n.c, D.c)
            (cPrev, cNext) = (cNext, cPrev)
            // c_t = c_{t−1} + write(h_dec(t))
            if c.attention {
                ck_linear_forward(a[heads], K.c, a[h], D.c, p + L.headW, D.c, p + L.headB, n.c, D.c, K.c, 0)
                ck_attention_forward(a[params5], a[fx], a[fy], a[heads] + c.writeSize, K.c, n.c, Nw.c,
                                     c.height.c, c.width.c)
                ck_write_forward(a[canvas], a[heads], K.c, a[fx], a[fy], a[params5], n.c, c.channels.c,
                                 c.height.c, c.width.c, Nw.c)
                windows.withUnsafeMutableBufferPointer { copy($0.baseAddress! + (t - 1) * n * 5, a[params5], n * 5) }
            } else {
                ck_linear_forward(a[canvas], P.c, a[h], D.c, p + L.headW, D.c, p + L.headB, n.c, D.c, P.c, 1)
            }
            frames.withUnsafeMutableBufferPointer {
                ck_sigmoid_forward($0.baseAddress! + (t - 1) * n * P, nil, a[canvas], n.c, P.c)
            }
        }
        return DrawingSequence(count: n, config: c, frames: frames, writeAttention: windows)
    }
}
