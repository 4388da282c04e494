// SplitMix64.swift: the seeded generator every random choice in DRAWData uses (shuffles, splits, faces, binarization).
/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same stream on every platform for a seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for a sub-stream, e.g. (seed, epoch) or (seed, image index): results do not depend on
    /// what other streams were drawn before.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = mixer.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Float in [0, 1) from the top 24 bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform Float in `range`.
    public mutating func uniform(_ range: ClosedRange<Float>) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUnitFloat()
    }

    /// A uniform Int in 0..<n (n > 0): Lemire's multiply-and-reject, written here (not Swift's `random(in:)`)
    /// so a seed gives the same numbers whatever the standard library's version.
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0, "below(\(n))")
        let bound = UInt64(n)
        let threshold = (0 &- bound) % bound
        while true {
            let (high, low) = next().multipliedFullWidth(by: bound)
            if low >= threshold { return Int(high) }
        }
    }

    /// Fisher-Yates shuffle of `array` with this generator (stable across Swift versions, unlike `shuffle(using:)`).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, below(i + 1))
        }
    }
}
