// Noise.swift: the model's random stream seen from outside: reseeding, and the ε a caller slices for data-parallel steps.
import DRAWKernels

extension DRAWModel {
    /// Restarts the model's RNG (ε in training, z in generation) from `seed`.
    public func reseed(_ seed: UInt64) {
        let s = KernelRandom(seed: seed).state
        (rngState[0], rngState[1], rngState[2], rngState[3]) = s
    }

    /// `count` N(0, 1) values from the model's RNG: the same values, in the same order, that a `.sampled`
    /// step of `count / (T·Z)` images would draw as its ε `[T][B][Z]`. Data-parallel ranks all draw the
    /// global batch's ε with this and each keeps its own rows, so N ranks train like one process.
    public func standardNormals(count: Int) -> [Float] {
        guard count > 0 else { return [] }
        var out = [Float](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { fillNormal(view($0.baseAddress!, Shape(count))) }
        return out
    }

    /// `count` N(0, 1) values from a generator of their own seeded with `seed` (the model's RNG is left alone, so
    /// a training run that draws pictures for its logs stays the run it would be without them).
    public static func standardNormals(count: Int, seed: UInt64) -> [Float] {
        guard count > 0 else { return [] }
        var own = KernelRandom(seed: seed)
        var out = [Float](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { o in
            kernels { () throws(KernelError) in try own.fillNormal(view(o.baseAddress!, Shape(count))) }
        }
        return out
    }
}

extension DRAWConfig {
    /// One line for logs, e.g. "3x64x64, T=10, read 5 / write 5, enc 256, dec 256, z 10, l2".
    public var summary: String {
        let shape = "\(channels)x\(height)x\(width), T=\(steps), "
        let windows = attention ? "read \(readN) / write \(writeN)" : "no attention"
        return shape + windows + ", enc \(encSize), dec \(decSize), z \(zSize), \(loss.rawValue)"
    }
}
