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

    /// This rank's ε (or z) `[T][b][Z]` of a global batch of `ranks · b` images: the whole global batch's values are
    /// drawn, alike on every rank, and the rank keeps its `b` rows of each step (rank 1 of 1: `standardNormals(count:)`).
    public func standardNormals(batch b: Int, rank: Int, of ranks: Int) -> [Float] {
        let T = config.steps, Z = config.zSize, global = ranks * b
        let all = standardNormals(count: T * global * Z)
        guard ranks > 1 else { return all }
        var mine = [Float](repeating: 0, count: T * b * Z)
        for t in 0..<T {
            let from = (t * global + rank * b) * Z
            mine[(t * b * Z)..<((t + 1) * b * Z)] = all[from..<(from + b * Z)]
        }
        return mine
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

/// One rank's place in a data-parallel run, for the library's own multi-pass steps (VAE/GAN): which slice of each
/// global batch it holds, and the allreduce sums that make every rank take the same step. `draw` builds it from
/// its MPI world; the library itself does not link MPI.
public struct DataParallel {
    public let rank, ranks: Int
    /// Sums a buffer over all ranks, in place (every rank gets the total).
    public let sum: (UnsafeMutableBufferPointer<Float>) throws -> Void
    /// The same for a few Double statistics (losses, gate inputs).
    public let sumDoubles: (inout [Double]) throws -> Void

    public init(rank: Int, ranks: Int, sum: @escaping (UnsafeMutableBufferPointer<Float>) throws -> Void,
                sumDoubles: @escaping (inout [Double]) throws -> Void) {
        self.rank = rank; self.ranks = ranks; self.sum = sum; self.sumDoubles = sumDoubles
    }
}
