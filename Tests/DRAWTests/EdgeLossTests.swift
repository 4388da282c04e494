// EdgeLossTests.swift: the edge loss against its Float64 reference and central differences, at odd shapes and 1-pixel planes.
import DRAW
import DRAWTestSupport
import Testing

@Suite struct EdgeLossTests {
    /// (B, planes, H, W): single pixels, single rows and columns, odd sizes, a 33-wide plane.
    static let shapes = [(1, 1, 1, 1), (2, 1, 1, 7), (1, 3, 5, 1), (2, 3, 5, 7), (3, 1, 33, 2), (1, 2, 4, 33)]

    /// Losses within 1e-5 relative of the Float64 reference; the gradient (weight 0.7, added onto 1s) within 1e-4 of
    /// the reference's central differences (h = 1e-4 in Float64, the loss is quadratic so the difference is exact up
    /// to rounding), relative with a floor of 1e-3. Sentinels around the gradient stay intact.
    @Test(arguments: shapes) func matchesReferenceAndCentralDifferences(_ shape: (Int, Int, Int, Int)) {
        let (B, C, H, W) = shape, n = B * C * H * W
        var rng = SeededRNG(seed: UInt64(n))
        let xt = randomFloats(n, in: 0...1, rng: &rng), x = randomFloats(n, in: 0...1, rng: &rng)
        let weight: Float = 0.7
        let gradient = GuardedBuffer(count: n, fill: 1)
        let losses = EdgeLoss.apply(reconstruction: xt, data: x, batch: B, planes: C, height: H, width: W, weight: weight,
                                    gradient: gradient.pointer)
        let xtD = xt.map(Double.init), xD = x.map(Double.init)
        let expected = EdgeReference.loss(xtD, xD, batch: B, planes: C, height: H, width: W)
        #expect(maxRelativeError(losses, expected, floor: 1e-6) <= 1e-5, "\(shape): \(losses) vs \(expected)")
        let fd = (0..<n).map { i in
            1 + Double(weight) * centralDifference({ EdgeReference.loss($0, xD, batch: B, planes: C, height: H, width: W)
                .reduce(0, +) }, at: xtD, index: i, h: 1e-4)
        }
        let e = maxRelativeError(gradient.array, fd, floor: 1e-3)
        #expect(e <= 1e-4, "\(shape): gradient error \(e)")
        #expect(gradient.sentinelsIntact)
        if H * W > 1 { #expect(expected.contains { $0 > 0 }) }
    }

    /// A flat offset has no edges: x̃ = x + 0.3 costs nothing, and without a gradient buffer only the loss is computed.
    @Test func flatOffsetIsFree() {
        var rng = SeededRNG(seed: 5)
        let x = randomFloats(2 * 3 * 6 * 5, in: 0...0.5, rng: &rng)
        let losses = EdgeLoss.apply(reconstruction: x.map { $0 + 0.3 }, data: x, batch: 2, planes: 3, height: 6, width: 5,
                                    weight: 1, gradient: nil)
        #expect(losses.allSatisfy { $0 < 1e-10 })
    }
}
