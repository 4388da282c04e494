// RNGTests.swift: ck_rng_seed / ck_randu / ck_randn against a Swift xoshiro256** reference, and their distributions.
import CKernels
import DRAWTestSupport
import Foundation
import Testing

private typealias Ref = PointwiseReference

private func seeded(_ seed: UInt64) -> [UInt64] {
    var s = [UInt64](repeating: 0, count: 4)
    ck_rng_seed(&s, seed)
    return s
}

struct RNGTests {
    @Test func seedIsFourSplitMix64Outputs() {
        for seed: UInt64 in [0, 1, 42, .max] {
            #expect(seeded(seed) == Ref.Xoshiro256StarStar(seed: seed).s, "seed \(seed)")
        }
    }

    /// randu is the top 24 bits of each xoshiro256** output, scaled by 2^-24: exact.
    @Test func randuIsTopBitsOfXoshiro() {
        var s = seeded(7)
        var out = [Float](repeating: -1, count: 1000)
        ck_randu(&out, out.count, &s)
        var ref = Ref.Xoshiro256StarStar(seed: 7)
        let expected = (0..<1000).map { _ in Float(ref.next() >> 40) * 0x1.0p-24 }
        #expect(out == expected)
        #expect(s == ref.s, "state advanced by one word per value")
    }

    /// Box-Muller in double then rounded to float: within 1e-6 (floor 1e-3) of the Float64 reference.
    @Test func randnIsBoxMullerOfXoshiro() {
        for n in [1, 2, 7, 1000] {
            var s = seeded(9)
            var out = [Float](repeating: .nan, count: n)
            ck_randn(&out, n, &s)
            var ref = Ref.Xoshiro256StarStar(seed: 9)
            #expect(maxRelativeError(out, ref.normals(n)) <= 1e-6, "n \(n)")
            #expect(s == ref.s, "n \(n): two words per pair")
        }
    }

    /// The transform is polynomial double arithmetic with fp contraction off: every SIMD path gives the same
    /// stream bit for bit (so a seed means the same run on any x86 CPU), across several 512-pair blocks and an
    /// odd tail; and it stays within 1e-6 of the libm-based Float64 reference over 200 001 values.
    @Test func randnIsTheSameOnEverySIMDPath() {
        let n = 200_001
        var streams: [[Float]] = []
        Ref.forEachSIMDPath { _ in
            var s = seeded(31)
            var out = [Float](repeating: .nan, count: n)
            ck_randn(&out, n, &s)
            streams.append(out)
        }
        var ref = Ref.Xoshiro256StarStar(seed: 31)
        #expect(maxRelativeError(streams[0], ref.normals(n)) <= 1e-6)
        for (i, stream) in streams.enumerated().dropFirst() {
            #expect(stream.map(\.bitPattern) == streams[0].map(\.bitPattern), "path #\(i) differs from scalar")
        }
    }

    @Test func sameSeedSameStreamDifferentSeedDifferent() {
        func draw(_ seed: UInt64) -> [Float] {
            var s = seeded(seed)
            var a = [Float](repeating: 0, count: 257), b = a
            ck_randn(&a, a.count, &s)
            ck_randu(&b, b.count, &s)
            return a + b
        }
        #expect(draw(123) == draw(123))
        #expect(draw(123) != draw(124))
    }

    /// 1e5 normals: the sample mean has standard error 1/sqrt(1e5) = 0.0032 and the sample variance about
    /// sqrt(2/1e5) = 0.0045; bounds are 5 standard errors. Fourth moment 3 within 0.1 (its s.e. is ~0.03).
    @Test func randnMomentsAreStandardNormal() {
        var s = seeded(2024)
        let n = 100_000
        var out = [Float](repeating: 0, count: n)
        ck_randn(&out, n, &s)
        let x = out.map(Double.init)
        let mean = x.reduce(0, +) / Double(n)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let kurtosis = x.reduce(0) { $0 + pow($1 - mean, 4) } / Double(n) / (variance * variance)
        #expect(abs(mean) < 0.016, "mean \(mean)")
        #expect(abs(variance - 1) < 0.023, "variance \(variance)")
        #expect(abs(kurtosis - 3) < 0.1, "kurtosis \(kurtosis)")
        #expect(out.allSatisfy { $0.isFinite })
    }

    /// Uniforms in [0, 1): mean 0.5 within 5 standard errors (0.289 / sqrt(1e5) each), variance 1/12.
    @Test func randuIsUniformOnHalfOpenUnitInterval() {
        var s = seeded(77)
        let n = 100_000
        var out = [Float](repeating: -1, count: n)
        ck_randu(&out, n, &s)
        #expect(out.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = out.reduce(0.0) { $0 + Double($1) } / Double(n)
        let variance = out.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n - 1)
        #expect(abs(mean - 0.5) < 0.0046, "mean \(mean)")
        #expect(abs(variance - 1.0 / 12) < 0.002, "variance \(variance)")
    }
}
