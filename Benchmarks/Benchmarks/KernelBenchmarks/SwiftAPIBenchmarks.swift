// SwiftAPIBenchmarks.swift: the same kernels through DRAWKernels' checked Swift API, to measure what the checks cost.
import DRAWKernels
import Foundation

/// Inputs of the Swift-API rows as owning ShapedBuffers (copies of Color64Inputs, made once).
final class SwiftAPIInputs: @unchecked Sendable {
    let x, xhat, params, Fx, Fy, r, T, U, h, c, act, pre, cPrev, mu, logSigma, eps, z, kl: ShapedBuffer

    init(_ k: Color64Inputs) {
        typealias S = Color64Inputs
        let (B, C, H, W, N, E, Z) = (S.B, S.C, S.H, S.W, S.N, S.E, S.Z)
        func make(_ values: [Float], _ shape: Shape) -> ShapedBuffer { try! ShapedBuffer(values, shape: shape) }
        x = make(k.x, Shape(B, C, H, W)); xhat = make(k.xhat, Shape(B, C, H, W))
        params = make(k.params, Shape(B, 5)); Fx = make(k.Fx, Shape(B, N, W)); Fy = make(k.Fy, Shape(B, N, H))
        r = make(k.r, Shape(B, S.R)); T = make(k.T, Shape(B, 2 * C, N, W)); U = make(k.U, Shape(B, 2 * C, N, H))
        h = make(k.h, Shape(B, E)); c = make(k.c, Shape(B, E)); act = make(k.act, Shape(B, 4 * E))
        pre = make(k.pre, Shape(B, 4 * E)); cPrev = make(k.cPrev, Shape(B, E))
        mu = make(k.mu, Shape(B, Z)); logSigma = make(k.logsig, Shape(B, Z)); eps = make(k.eps, Shape(B, Z))
        z = make(k.z, Shape(B, Z)); kl = make(k.kl, Shape(B))
    }
}

/// Rows named like their raw twins plus ", Swift API"; each also counts mallocs (the checks must make none).
func registerSwiftAPIRows(_ k: Color64Inputs, readFlops: Double) {
    typealias S = Color64Inputs
    let s = SwiftAPIInputs(k)
    let f = Double(S.B)
    kernel("read forward, Swift API", .flops(readFlops), mallocs: true) {
        try! readForward(r: s.r, T: s.T, U: s.U, x: s.x, xhat: s.xhat, Fx: s.Fx, Fy: s.Fy, params: s.params)
    }
    kernel("lstm forward, Swift API", .bytes(4 * f * Double(S.E) * (4 + 4 + 1 + 2)), mallocs: true) {
        try! lstmForward(h: s.h, c: s.c, act: s.act, pre: s.pre, cPrev: s.cPrev)
    }
    kernel("latent forward, Swift API", .bytes(4 * f * Double(S.Z) * 4), mallocs: true) {
        try! latentForward(z: s.z, kl: s.kl, mu: s.mu, logSigma: s.logSigma, eps: s.eps)
    }
}
