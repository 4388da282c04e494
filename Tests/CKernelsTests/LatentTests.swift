// LatentTests.swift: ck_latent_forward/backward (z = mu + exp(logsigma) eps, per-image KL) against Float64 references.
import CKernels
import DRAWTestSupport
import Testing

private typealias Ref = PointwiseReference

/// mu and logsigma as the two halves of one (B, 2Z) buffer (ldm = 2Z), as the model's GEMM output has them.
private struct LatentCase {
    let B: Int, Z: Int
    let mu: [Float], logsigma: [Float], eps: [Float]
    var packed: [Float] {
        var out: [Float] = []
        for b in 0..<B {
            out += mu[(b * Z)..<((b + 1) * Z)]
            out += logsigma[(b * Z)..<((b + 1) * Z)]
        }
        return out
    }
    init(B: Int, Z: Int, rng: inout SeededRNG) {
        self.B = B; self.Z = Z
        mu = randomFloats(B * Z, in: -2...2, rng: &rng)
        logsigma = randomFloats(B * Z, in: -3...1.5, rng: &rng)
        eps = randomFloats(B * Z, in: -2.5...2.5, rng: &rng)
    }
}

private func latentKernel(_ t: LatentCase, withEps: Bool) -> (z: GuardedBuffer, kl: GuardedBuffer) {
    let z = GuardedBuffer(count: t.B * t.Z), kl = GuardedBuffer(count: t.B)
    let ml = GuardedBuffer(t.packed), eps = GuardedBuffer(t.eps)
    ck_latent_forward(z.pointer, Int32(t.Z), kl.pointer, ml.pointer, ml.pointer + t.Z, Int32(2 * t.Z),
                      withEps ? eps.pointer : nil, Int32(t.B), Int32(t.Z))
    return (z, kl)
}

@Suite(.serialized) struct LatentTests {
    /// z may be written with a row stride (the model writes it into its step rows): the same values as
    /// contiguous, the gaps untouched, the same KL.
    @Test func zMayHaveARowStride() {
        var rng = SeededRNG(seed: 29)
        let t = LatentCase(B: 4, Z: 10, rng: &rng)
        let dense = latentKernel(t, withEps: true)
        let ldz = t.Z + 3
        let z = GuardedBuffer(count: t.B * ldz, fill: -7), kl = GuardedBuffer(count: t.B)
        let ml = GuardedBuffer(t.packed), eps = GuardedBuffer(t.eps)
        ck_latent_forward(z.pointer, Int32(ldz), kl.pointer, ml.pointer, ml.pointer + t.Z, Int32(2 * t.Z), eps.pointer,
                          Int32(t.B), Int32(t.Z))
        let rows = (0..<t.B).flatMap { b in (0..<t.Z).map { z.pointer[b * ldz + $0] } }
        #expect(rows == dense.z.array && kl.array == dense.kl.array)
        #expect((0..<t.B).allSatisfy { b in (t.Z..<ldz).allSatisfy { z.pointer[b * ldz + $0] == -7 } })
        #expect(z.sentinelsIntact)
    }

    /// KL is summed in double from exact float inputs (bound 1e-6 relative); z is one float FMA-like
    /// expression, compared with an absolute floor of 1 (bound 1e-6).
    @Test func forwardMatchesReference() {
        var rng = SeededRNG(seed: 21)
        for Z in Ref.tailSizes {
            let t = LatentCase(B: 3, Z: Z, rng: &rng)
            for withEps in [true, false] {
                let out = latentKernel(t, withEps: withEps)
                let ref = Ref.latentForward(mu: t.mu.map(Double.init), logsigma: t.logsigma.map(Double.init),
                                            eps: withEps ? t.eps.map(Double.init) : nil, B: t.B, Z: Z)
                let ez = maxRelativeError(out.z.array, ref.z, floor: 1)
                let ek = maxRelativeError(out.kl.array, ref.kl, floor: 1e-3)
                #expect(ez <= 1e-6 && ek <= 1e-6, "Z \(Z) eps \(withEps): z \(ez) kl \(ek)")
                if !withEps { #expect(out.z.array == t.mu, "eps NULL must give z = mu exactly") }
                #expect(out.z.sentinelsIntact && out.kl.sentinelsIntact, "Z \(Z): write outside z or kl")
            }
        }
    }

    /// L = sum dz . z + sum dkl . kl by central differences (step 1e-6) of the Float64 reference; the
    /// float32 kernel within 2e-6, absolute below 1 and relative above (floor 1). The d* halves start nonzero (accumulation) and the
    /// gaps of the strided gradient buffer must stay untouched.
    @Test func backwardMatchesFiniteDifferences() {
        var rng = SeededRNG(seed: 22)
        for Z in [1, 4, 10, 17] {
            for (withDz, withDkl, withEps) in [(true, true, true), (true, false, true), (false, true, true),
                                               (true, true, false)] {
                let t = LatentCase(B: 2, Z: Z, rng: &rng)
                let dz = randomFloats(t.B * Z, rng: &rng), dkl = randomFloats(t.B, rng: &rng)
                let d0 = randomFloats(t.B * 2 * Z, rng: &rng)
                let d = GuardedBuffer(d0), ml = GuardedBuffer(t.packed)
                let dzB = GuardedBuffer(dz), dklB = GuardedBuffer(dkl), epsB = GuardedBuffer(t.eps)
                ck_latent_backward(d.pointer, d.pointer + Z, Int32(2 * Z), withDz ? dzB.pointer : nil,
                                   withDkl ? dklB.pointer : nil, ml.pointer, ml.pointer + Z, Int32(2 * Z),
                                   withEps ? epsB.pointer : nil, Int32(t.B), Int32(Z))
                func loss(_ mu: [Double], _ ls: [Double]) -> Double {
                    let r = Ref.latentForward(mu: mu, logsigma: ls, eps: withEps ? t.eps.map(Double.init) : nil,
                                              B: t.B, Z: Z)
                    var s = 0.0
                    if withDz { for k in r.z.indices { s += Double(dz[k]) * r.z[k] } }
                    if withDkl { for b in 0..<t.B { s += Double(dkl[b]) * r.kl[b] } }
                    return s
                }
                let mu = t.mu.map(Double.init), ls = t.logsigma.map(Double.init)
                let fdMu = mu.indices.map { i in centralDifference({ loss($0, ls) }, at: mu, index: i, h: 1e-6) }
                let fdLs = ls.indices.map { i in centralDifference({ loss(mu, $0) }, at: ls, index: i, h: 1e-6) }
                let got = zip(d.array, d0).map { Double($0) - Double($1) }
                var gotMu: [Double] = [], gotLs: [Double] = []
                for b in 0..<t.B {
                    let row = b * 2 * Z
                    gotMu += got[row..<(row + Z)]
                    gotLs += got[(row + Z)..<(row + 2 * Z)]
                }
                let em = maxRelativeError(gotMu, fdMu, floor: 1)
                let el = maxRelativeError(gotLs, fdLs, floor: 1)
                #expect(em <= 2e-6 && el <= 2e-6, "Z \(Z) dz \(withDz) dkl \(withDkl) eps \(withEps): dmu \(em) dlogsigma \(el)")
                #expect(d.sentinelsIntact)
            }
        }
    }

    @Test func oneAndTwoThreadsAgree() {
        let saved = ck_get_threads()
        defer { ck_set_threads(saved) }
        var rng = SeededRNG(seed: 23)
        let t = LatentCase(B: 9, Z: 100, rng: &rng)
        let dz = GuardedBuffer(randomFloats(t.B * t.Z, rng: &rng)), dkl = GuardedBuffer(randomFloats(t.B, rng: &rng))
        Ref.withAutomaticSIMDPath {
            var results: [[Float]] = []
            for n in [1, 2] {
                ck_set_threads(Int32(n))
                let f = latentKernel(t, withEps: true)
                let ml = GuardedBuffer(t.packed), eps = GuardedBuffer(t.eps), d = GuardedBuffer(count: t.B * 2 * t.Z)
                ck_latent_backward(d.pointer, d.pointer + t.Z, Int32(2 * t.Z), dz.pointer, dkl.pointer, ml.pointer,
                                   ml.pointer + t.Z, Int32(2 * t.Z), eps.pointer, Int32(t.B), Int32(t.Z))
                results.append(f.z.array + f.kl.array + d.array)
            }
            #expect(Ref.agree(results[0], results[1]))
        }
    }
}
