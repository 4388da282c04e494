// Support.swift: helpers every test target shares: a seeded RNG, NaN-sentinel buffers, error metrics, fixture paths.
import DRAWData
import Foundation

/// The tests' seeded generator: DRAWData's SplitMix64, so test data and the data pipeline share one algorithm.
public typealias SeededRNG = SplitMix64

/// `n` uniform floats in `range`.
public func randomFloats(_ n: Int, in range: ClosedRange<Float> = -1...1, rng: inout SeededRNG) -> [Float] {
    (0..<n).map { _ in Float.random(in: range, using: &rng) }
}

/// A float buffer with `pad` NaN sentinels on each side; a kernel that writes out of bounds disturbs them.
public final class GuardedBuffer {
    public static let pad = 16
    /// A quiet NaN with a payload no arithmetic produces, so "still NaN" is not enough: the bits must match.
    public static let sentinelBits: UInt32 = 0x7FC0_BEEF
    public let count: Int
    private let storage: UnsafeMutablePointer<Float>

    public init(count: Int, fill: Float = 0) {
        self.count = count
        storage = .allocate(capacity: count + 2 * Self.pad)
        storage.initialize(repeating: Float(bitPattern: Self.sentinelBits), count: count + 2 * Self.pad)
        (storage + Self.pad).update(repeating: fill, count: count)
    }
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        for (i, v) in values.enumerated() { pointer[i] = v }
    }
    deinit { storage.deallocate() }

    public var pointer: UnsafeMutablePointer<Float> { storage + Self.pad }
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    public var doubles: [Double] { array.map(Double.init) }
    public var sentinelsIntact: Bool {
        for i in 0..<Self.pad where storage[i].bitPattern != Self.sentinelBits
            || storage[Self.pad + count + i].bitPattern != Self.sentinelBits { return false }
        return true
    }
}

/// max_i |a_i - b_i| / max(|b_i|, floor): relative where values are large, absolute near zero.
public func maxRelativeError(_ a: [Double], _ b: [Double], floor: Double = 1e-3) -> Double {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    var worst = 0.0
    for i in a.indices {
        let e = abs(a[i] - b[i]) / max(abs(b[i]), floor)
        if e.isNaN { return .infinity }
        worst = max(worst, e)
    }
    return worst
}

public func maxRelativeError(_ a: [Float], _ b: [Double], floor: Double = 1e-3) -> Double {
    maxRelativeError(a.map(Double.init), b, floor: floor)
}

/// Central difference (f(x+h) - f(x-h)) / 2h of a scalar function of a vector, at coordinate i.
public func centralDifference(_ f: ([Double]) -> Double, at x: [Double], index i: Int, h: Double) -> Double {
    var xp = x, xm = x
    xp[i] += h
    xm[i] -= h
    return (f(xp) - f(xm)) / (2 * h)
}

/// Tests/Fixtures: the reference fixtures copied from ../shared/fixtures, so a clone tests without ../shared.
public let fixturesDirectory: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
