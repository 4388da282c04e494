// Color64Inputs.swift: random inputs at SPEC.md's color64 shapes (B 64, 3x64x64, N 5, LSTMs 256, Z 10), made once.
import Foundation
import CKernels
import DRAWTestSupport

/// Every buffer a kernel benchmark reads or writes, sized for one color64 time step.
final class Color64Inputs: @unchecked Sendable {
    static let B = 64, C = 3, H = 64, W = 64, N = 5, E = 256, D = 256, Z = 10
    static var P: Int { C * H * W }
    static var R: Int { 2 * C * N * N }

    var x, xhat, canvas, head, params, Fx, Fy, r, T, U, w, pre, act, h, c, cPrev, dh, dc: [Float]
    var mu, logsig, eps, z, kl, loss, gemmA, gemmB, gemmC, gemmPacked, bf16Scratch: [Float]
    /// gemmB packed as bf16 pair-row panels (--precision bf16).
    var gemmPackedBF16: [UInt16]
    var dparams, dFx, dFy, dhead, dx, dxhat, dr, dw, dcanvas, dpre, dcPrev, dmu, dlogsig, dz, dkl: [Float]
    var slab, grad, m, v: [Float]

    init() {
        typealias S = Color64Inputs
        var rng = SeededRNG(seed: 64)
        func u(_ n: Int, _ range: ClosedRange<Float> = -1...1) -> [Float] { randomFloats(n, in: range, rng: &rng) }
        let B = S.B, P = S.P, N = S.N
        x = u(B * P, 0...1); canvas = u(B * P, -2...2); xhat = [Float](repeating: 0, count: B * P)
        for i in xhat.indices { xhat[i] = x[i] - 1 / (1 + (-canvas[i]).exp) }
        // Windows on the image, of moderate width (as in training after the first steps).
        head = (0..<(B * 5)).map { (i: Int) -> Float in
            let column = i % 5, spread = Float((i * 7) % 11 - 5) / 50
            return column < 2 ? spread : (column == 2 ? 0.5 : 0)
        }
        params = [Float](repeating: 0, count: B * 5); Fx = [Float](repeating: 0, count: B * N * S.W)
        Fy = [Float](repeating: 0, count: B * N * S.H)
        ck_attention_forward(&params, &Fx, &Fy, head, 5, Int32(B), Int32(S.H), Int32(S.W), Int32(N))
        r = [Float](repeating: 0, count: B * S.R); w = u(B * S.C * N * N)
        // The read forward's intermediates Fy X (B, 2C, N, W) and Fx Xᵀ (B, 2C, N, H), kept for its backward.
        T = [Float](repeating: 0, count: B * 2 * S.C * N * S.W); U = [Float](repeating: 0, count: B * 2 * S.C * N * S.H)
        ck_read_forward(&r, Int32(S.R), &T, &U, x, xhat, Fx, Fy, params, Int32(B), Int32(S.C), Int32(S.H), Int32(S.W),
                        Int32(N))
        pre = u(B * 4 * S.E, -3...3); act = pre; h = [Float](repeating: 0, count: B * S.E); c = h
        cPrev = u(B * S.E); dh = u(B * S.E); dc = u(B * S.E)
        mu = u(B * S.Z); logsig = u(B * S.Z, -2...0.5); eps = u(B * S.Z); z = u(B * S.Z); kl = u(B)
        loss = u(B)
        gemmA = u(B * (S.R + S.E + S.D)); gemmB = u(4 * S.E * (S.R + S.E + S.D)); gemmC = [Float](repeating: 0, count: B * 4 * S.E)
        // gemmB (4E, R + E + D) as the model packs the encoder's stacked [W_ih | W_hh]: Wᵀ in 64-column panels.
        let In = Int32(S.R + S.E + S.D)
        gemmPacked = [Float](repeating: 0, count: ck_packed_size(In, Int32(4 * S.E)))
        ck_pack_transposed(&gemmPacked, gemmB, In, In, Int32(4 * S.E))
        gemmPackedBF16 = [UInt16](repeating: 0, count: ck_packed_size_bf16(In, Int32(4 * S.E)))
        ck_pack_transposed_rows_bf16(&gemmPackedBF16, In, 0, gemmB, In, In, Int32(4 * S.E))
        bf16Scratch = [Float](repeating: 0, count: ck_bf16_scratch_floats(Int32(B), In))
        dparams = u(B * 5); dFx = u(B * N * S.W); dFy = u(B * N * S.H); dhead = u(B * 5)
        dx = u(B * P); dxhat = u(B * P); dr = u(B * S.R); dw = u(B * S.C * N * N); dcanvas = u(B * P)
        dpre = u(B * 4 * S.E); dcPrev = u(B * S.E); dmu = u(B * S.Z); dlogsig = u(B * S.Z); dz = u(B * S.Z); dkl = u(B)
        slab = u(981_353); grad = u(981_353); m = [Float](repeating: 0, count: 981_353); v = m
    }
}

extension Float {
    fileprivate var exp: Float { Float(Foundation.exp(Double(self))) }
}
