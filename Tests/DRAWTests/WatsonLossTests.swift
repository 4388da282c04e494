// WatsonLossTests.swift: the Watson-DFT distance against a Float64 reference written from its formula, and its gradient against central differences.
import DRAW
import DRAWTestSupport
import Foundation
import Testing

@Suite struct WatsonLossTests {
    /// (B, planes, H, W): one block, planes smaller than a block, sizes that pad the last blocks, a 32×32 colour image.
    static let shapes = [(1, 1, 8, 8), (1, 1, 5, 7), (2, 3, 16, 16), (2, 2, 9, 17), (1, 3, 32, 32)]

    /// Losses within 1e-9 relative of the reference (both sum in Float64 from the same floats); the gradient (weight 0.7,
    /// added onto 1s) within 1e-4 of the reference's central differences (h = 1e-6), relative with a floor of 1e-3,
    /// at up to 60 pixels per shape.
    @Test(arguments: shapes) func matchesReferenceAndCentralDifferences(_ shape: (Int, Int, Int, Int)) throws {
        let (B, C, H, W) = shape, n = B * C * H * W
        var rng = SeededRNG(seed: UInt64(n) &+ 17)
        let xt = randomFloats(n, in: 0...1, rng: &rng), x = randomFloats(n, in: 0...1, rng: &rng)
        let weight: Float = 0.7
        var gradient = [Float](repeating: 1, count: n)
        let losses = try xt.withUnsafeBufferPointer { a in
            try x.withUnsafeBufferPointer { b in
                try gradient.withUnsafeMutableBufferPointer { g in
                    try WatsonLoss.distance(a, b, gradient: g, weight: weight, channels: C, height: H, width: W)
                }
            }
        }
        let xtD = xt.map(Double.init), xD = x.map(Double.init)
        let expected = WatsonReference.loss(xtD, xD, batch: B, planes: C, height: H, width: W)
        #expect(maxRelativeError(losses, expected, floor: 1e-6) <= 1e-9, "\(shape): \(losses) vs \(expected)")
        #expect(expected.allSatisfy { $0 > 1 }, "random images are far apart")
        let picks = n <= 60 ? Array(0..<n) : (0..<60).map { _ in Int.random(in: 0..<n, using: &rng) }
        let fd = picks.map { i in
            1 + Double(weight) * centralDifference({ WatsonReference.loss($0, xD, batch: B, planes: C, height: H, width: W)
                .reduce(0, +) }, at: xtD, index: i, h: 1e-6)
        }
        let e = maxRelativeError(picks.map { gradient[$0] }, fd, floor: 1e-3)
        #expect(e <= 1e-4, "\(shape): gradient error \(e)")
    }

    /// An image is at distance 0 from itself and gets no gradient; a blurred copy is further than a copy with the same
    /// pixel error spread as a flat offset (the distance sees lost detail, pixel L2 sees the two alike).
    @Test func blurCostsMoreThanAnOffsetOfEqualPixelError() throws {
        let H = 16, W = 16
        var rng = SeededRNG(seed: 3)
        let x = randomFloats(H * W, in: 0...1, rng: &rng)
        var blurred = x
        for h in 0..<H { for w in 0..<W {
            var s: Float = 0, k: Float = 0
            for dh in -1...1 { for dw in -1...1 where (0..<H).contains(h + dh) && (0..<W).contains(w + dw) {
                s += x[(h + dh) * W + w + dw]; k += 1 } }
            blurred[h * W + w] = s / k
        } }
        let l2 = zip(blurred, x).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        let offset = x.map { $0 + Float((l2 / Double(H * W)).squareRoot()) }
        func distance(_ a: [Float]) throws -> Double {
            var g = [Float](repeating: 0, count: a.count)
            let d = try a.withUnsafeBufferPointer { p in try x.withUnsafeBufferPointer { q in try g.withUnsafeMutableBufferPointer {
                try WatsonLoss.distance(p, q, gradient: $0, weight: 1, channels: 1, height: H, width: W) } } }
            if a == x { #expect(g.allSatisfy { $0 == 0 }, "no gradient at the data itself") }
            return d[0]
        }
        #expect(try distance(x) < 1e-6)
        let b = try distance(blurred), o = try distance(offset)
        #expect(b > 2 * o, "blur \(b) vs offset \(o)")
    }
}

/// The Watson-DFT distance in Float64 from its definition (complex exponentials, no tables), image by image.
enum WatsonReference {
    static func loss(_ xt: [Double], _ x: [Double], batch B: Int, planes C: Int, height H: Int, width W: Int) -> [Double] {
        let plane = H * W, eps = 1e-10
        return (0..<B).map { b in
            var total = 0.0
            for c in 0..<C {
                let o = (b * C + c) * plane
                func pixel(_ v: [Double], _ h: Int, _ w: Int) -> Double { h < H && w < W ? v[o + h * W + w] : 0 }
                func dft(_ v: [Double], _ y0: Int, _ x0: Int) -> [[(re: Double, im: Double)]] {
                    (0..<8).map { k in (0..<5).map { l in
                        var re = 0.0, im = 0.0
                        for m in 0..<8 { for n in 0..<8 {
                            let angle = -2 * Double.pi * Double(k * m + l * n) / 8, p = pixel(v, y0 + m, x0 + n)
                            re += p * cos(angle); im += p * sin(angle)
                        } }
                        return (re, im)
                    } }
                }
                let blocks = (0..<((H + 7) / 8)).flatMap { y in (0..<((W + 7) / 8)).map { (y * 8, $0 * 8) } }
                let targets = blocks.map { dft(x, $0.0, $0.1) }, recons = blocks.map { dft(xt, $0.0, $0.1) }
                func amplitude(_ z: (re: Double, im: Double)) -> Double { (z.re * z.re + z.im * z.im + eps).squareRoot() }
                let meanDC = targets.reduce(0.0) { $0 + amplitude($1[0][0]) } / Double(blocks.count)
                for (t0, t1) in zip(targets, recons) {
                    let t = pow((amplitude(t0[0][0]) + eps) / (meanDC + eps), 0.1)
                    for k in 0..<8 { for l in 0..<5 {
                        let a0 = amplitude(t0[k][l]), a1 = amplitude(t1[k][l])
                        let m = pow(a0 + eps, 0.2) * pow(t, 0.8)
                        let s = (t * exp(t) + m * exp(m)) / (exp(t) + exp(m))
                        total += abs(a0 - a1) / s
                        let real = (k == 0 || k == 4) && (l == 0 || l == 4)
                        if !real {
                            var d = atan2(t0[k][l].im, t0[k][l].re) - atan2(t1[k][l].im, t1[k][l].re)
                            d = atan2(sin(d), cos(d))
                            total += exp(-2) * abs(d)
                        }
                    } }
                }
            }
            return total
        }
    }
}
