// Generation.swift: drawing from the prior (SPEC.md "Generation"): the decoder loop with z_t ~ N(0, I), no encoder.
import DRAWKernels

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

    /// The write window (gx, gy, σ², δ, γ) at step t (1-based) for `image`; empty without attention.
    public func window(step t: Int, image: Int) -> ArraySlice<Float> {
        guard !writeAttention.isEmpty else { return [] }
        let start = ((t - 1) * count + image) * 5
        return writeAttention[start..<(start + 5)]
    }

    /// The generated images sigmoid(c_T), `[count][C][H][W]`.
    public var images: ArraySlice<Float> { frames[((config.steps - 1) * count * config.pixels)...] }
}

/// The decoder loop's buffers for one image count, allocated once and kept by the model for the next call.
final class GenerationWorkspace {
    let count: Int
    /// Steps whose decoder gates are begun together: W_ih z_t + b_ih + b_hh for `block` steps is one GEMM over
    /// block·n rows (z is known up front), up to 4M floats of gates.
    let block: Int
    private let arena: FloatArena
    /// z (T, n, Z); h_dec and the two cell buffers (n, D); gates (block, n, 4D); heads (n,
    /// `FusedLayout.HeadRow.generationWidth`); canvas (n, P); the write window's params (n, 5), Fx (n, Nw, W),
    /// Fy (n, Nw, H).
    let z, h, cell, cellNext, gates, heads, canvas, window, fx, fy: UnsafeMutablePointer<Float>

    init(config c: DRAWConfig, count n: Int) {
        count = n
        block = max(1, min(c.steps, (1 << 22) / (n * 4 * c.decSize)))
        let D = c.decSize, Nw = c.attention ? c.writeN : 0
        var plan = FloatArena.Plan()
        let z = plan.reserve(c.steps * n * c.zSize), h = plan.reserve(n * D), cell = plan.reserve(n * D)
        let cellNext = plan.reserve(n * D), gates = plan.reserve(block * n * 4 * D)
        let heads = plan.reserve(c.attention ? n * c.fused.headRow.generationWidth : 0), canvas = plan.reserve(n * c.pixels)
        let window = plan.reserve(n * 5), fx = plan.reserve(n * Nw * c.width), fy = plan.reserve(n * Nw * c.height)
        arena = FloatArena(plan)
        let a = arena
        (self.z, self.h, self.cell, self.cellNext, self.gates) = (a[z], a[h], a[cell], a[cellNext], a[gates])
        (self.heads, self.canvas, self.window, self.fx, self.fy) = (a[heads], a[canvas], a[window], a[fx], a[fy])
    }
}

extension DRAWModel {
    /// Draws `count` images from the prior with every step's canvas and write window (for pictures and GIFs).
    /// `z` is `[T][count][Z]` row-major; nil draws it from the model's RNG.
    public func sample(count n: Int, z: [Float]? = nil) throws -> DrawingSequence {
        let T = config.steps, P = config.pixels, attention = config.attention
        var frames = [Float](repeating: 0, count: T * n * P)
        var windows = [Float](repeating: 0, count: config.attention ? T * n * 5 : 0)
        try frames.withUnsafeMutableBufferPointer { f in
            try windows.withUnsafeMutableBufferPointer { wb in
                let w = try generationWorkspace(count: n, z: z)
                decode(w) { t in
                    sigmoid(f.baseAddress! + (t - 1) * n * P, of: w.canvas, rows: n, P)
                    if attention { copy(wb.baseAddress! + (t - 1) * n * 5, w.window, n * 5) }
                }
            }
        }
        return DrawingSequence(count: n, config: config, frames: frames, writeAttention: windows)
    }

    /// Draws `count` images from the prior, only the final sigmoid(c_T): `[count][C][H][W]`.
    /// The fast path: no per-step frames; the decoder's buffers are reused from call to call.
    public func generate(count n: Int, z: [Float]? = nil) throws -> [Float] {
        let P = config.pixels
        var images = [Float](repeating: 0, count: n * P)
        try images.withUnsafeMutableBufferPointer { try generate(into: $0, z: z) }
        return images
    }

    /// `generate(count:z:)` into the caller's buffer of `count · C·H·W` floats (no allocation after the first call).
    public func generate(into images: UnsafeMutableBufferPointer<Float>, z: [Float]? = nil) throws {
        let P = config.pixels
        let n = try batchSize(of: images.count, what: "generate output")
        let w = try generationWorkspace(count: n, z: z)
        decode(w) { _ in }
        sigmoid(images.baseAddress!, of: w.canvas, rows: n, P)
    }

    /// The workspace for n images with z filled in (the caller's or fresh N(0, I) draws) and the state zeroed.
    private func generationWorkspace(count n: Int, z: [Float]?) throws -> GenerationWorkspace {
        let T = config.steps, D = config.decSize, Z = config.zSize
        guard n >= 1 else { throw DRAWError.shapeMismatch(what: "sample count", expected: ">= 1", got: n) }
        _ = try batchSize(of: n * config.pixels, what: "sample count")
        if let z, z.count != T * n * Z {
            throw DRAWError.shapeMismatch(what: "z", expected: "[T=\(T)][n=\(n)][Z=\(Z)] = \(T * n * Z)", got: z.count)
        }
        if generationCache?.count != n { generationCache = GenerationWorkspace(config: config, count: n) }
        let w = generationCache!
        if let z {
            z.withUnsafeBufferPointer { copy(w.z, $0.baseAddress!, T * n * Z) }
        } else {
            fillNormal(view(w.z, Shape(T * n * Z)))
        }
        zero(w.h, n * D); zero(w.cell, n * D); zero(w.canvas, n * config.pixels)
        return w
    }

    /// SPEC.md's generation loop; `perStep(t)` sees the canvas c_t and the write window after each step.
    private func decode(_ w: GenerationWorkspace, perStep: (Int) -> Void) {
        let c = config, L = layout, p = params.base
        let T = c.steps, P = c.pixels, D = c.decSize, Z = c.zSize, Nw = c.writeN, n = w.count
        // The head GEMM's first columns: write, and the write head with attention (the read head is not needed).
        let head = c.fused.headRow, K = head.generationWidth, zRow = c.fused.stepRow.decoderZRow
        let pw = packedWeights()
        var cPrev = w.cell, cNext = w.cellNext
        for t in 1...T {
            // h_dec(t) = decoder(z_t): gates = W_ih z_t + (b_ih + b_hh) + W_hh h_dec(t−1), the z part for the
            // next `block` steps in one GEMM (the packed decoder's z rows); h_dec(0) = 0, so at t = 1 W_hh is skipped.
            let j = (t - 1) % w.block
            if j == 0 {
                let rows = min(w.block, T - t + 1) * n
                linear(w.gates, 4 * D, w.z + (t - 1) * n * Z, Z, pw.decT.rows(from: zRow), pw.decBias, rows: rows, in: Z,
                       out: 4 * D, accumulate: false)
            }
            let gates = w.gates + j * n * 4 * D
            if t > 1 { linear(gates, 4 * D, w.h, D, pw.decT, nil, rows: n, in: D, out: 4 * D, accumulate: true) }
            lstm(h: w.h, rowStride: D, c: cNext, gates: gates, cPrev: cPrev, B: n, H: D)
            (cPrev, cNext) = (cNext, cPrev)
            // c_t = c_{t−1} + write(h_dec(t))
            if c.attention {
                linear(w.heads, K, w.h, D, pw.headT, p + L.headB, rows: n, in: D, out: K, accumulate: false)
                let window = WindowViews(params: w.window, Fx: w.fx, Fy: w.fy, B: n, N: Nw, H: c.height, W: c.width)
                let canvas = view(w.canvas, Shape(n, c.channels, c.height, c.width))
                kernels { () throws(KernelError) in
                    try attentionForward(params: window.params, Fx: window.Fx, Fy: window.Fy,
                                         head: view(w.heads + head.writeAttention.lowerBound, Shape(n, 5), rowStride: K))
                    try writeForward(canvas: canvas, canvasPrev: canvas,
                                     w: view(w.heads + head.write.lowerBound, Shape(n, head.write.count), rowStride: K),
                                     Fx: window.Fx, Fy: window.Fy, params: window.params)
                }
            } else {
                linear(w.canvas, P, w.h, D, pw.headT, p + L.headB, rows: n, in: D, out: P, accumulate: true)
            }
            perStep(t)
        }
    }
}
