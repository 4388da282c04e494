// SharpnessTests.swift: the detail measure on hand-computed images, its invariances, and that blur lowers it.
import DRAW
import DRAWTestSupport
import Testing

struct SharpnessTests {
    /// A 3×3 cross pattern: every forward-difference pair changes by 1 in x and y (2 per pixel); the one interior
    /// Laplacian is 4·0 − 4·1 = −4, squared 16.
    @Test func handComputedCross() {
        let s = Sharpness(images: [0, 1, 0, 1, 0, 1, 0, 1, 0], height: 3, width: 3)
        #expect(s.gradient == 2)
        #expect(s.laplacian == 16)
    }

    /// A linear ramp has constant gradient (a² + b²) and zero Laplacian; a constant image has neither.
    @Test func rampAndConstant() {
        let H = 5, W = 7, a = 0.1, b = 0.03
        let ramp = (0..<(H * W)).map { Float(a * Double($0 % W) + b * Double($0 / W)) }
        let s = Sharpness(images: ramp, height: H, width: W)
        #expect(abs(s.gradient - (a * a + b * b)) < 1e-7)
        #expect(s.laplacian < 1e-10)
        let flat = Sharpness(images: [Float](repeating: 0.4, count: 2 * 3 * H * W), height: H, width: W)
        #expect(flat.gradient == 0 && flat.laplacian == 0)
    }

    /// Pooled over planes: two planes give the mean of their values, and a set against itself has ratio 1.
    @Test func pooledOverPlanesAndSelfRatioIsOne() {
        let cross: [Float] = [0, 1, 0, 1, 0, 1, 0, 1, 0]
        let s = Sharpness(images: cross + [Float](repeating: 0, count: 9), height: 3, width: 3)
        #expect(s.gradient == 1 && s.laplacian == 8)
        let r = s.ratio(to: s)
        #expect(r.gradient == 1 && r.laplacian == 1)
    }

    /// A 3×3 box blur of random noise keeps well under half of its gradient and Laplacian energy.
    @Test func blurLowersTheRatio() {
        var rng = SeededRNG(seed: 5)
        let H = 17, W = 19
        let x = randomFloats(3 * H * W, in: 0...1, rng: &rng)
        var blurred = x
        for p in 0..<3 {
            for h in 0..<H {
                for w in 0..<W {
                    var sum: Float = 0, n: Float = 0
                    for dh in -1...1 { for dw in -1...1 where (0..<H).contains(h + dh) && (0..<W).contains(w + dw) {
                        sum += x[p * H * W + (h + dh) * W + w + dw]; n += 1
                    } }
                    blurred[p * H * W + h * W + w] = sum / n
                }
            }
        }
        let r = Sharpness(images: blurred, height: H, width: W).ratio(to: Sharpness(images: x, height: H, width: W))
        #expect(r.gradient > 0 && r.gradient < 0.5, "gradient ratio \(r.gradient)")
        #expect(r.laplacian > 0 && r.laplacian < 0.5, "Laplacian ratio \(r.laplacian)")
    }
}
