// Latents.swift: latent sequences for generation: prior draws at a temperature, and paths between two sequences.
import Foundation

extension DRAWModel {
    /// z for `sample(count:z:)` / `generate(count:z:)`: `[T][count][Z]` draws of N(0, τ² I) from the model's RNG.
    /// At τ = 1 these are the very values generation would draw itself; τ < 1 gives tamer, τ > 1 wilder images.
    public func priorLatents(count n: Int, temperature τ: Float = 1) throws -> [Float] {
        guard n >= 1 else { throw DRAWError.shapeMismatch(what: "sample count", expected: ">= 1", got: n) }
        guard τ.isFinite, τ >= 0 else {
            throw DRAWError.invalidConfig(field: "temperature", reason: "must be finite and >= 0, got \(τ)")
        }
        var z = standardNormals(count: config.steps * n * config.zSize)
        if τ != 1 { for i in z.indices { z[i] *= τ } }
        return z
    }
}

/// How to walk from one latent sequence to another.
public enum LatentPath: String, Sendable, CaseIterable {
    /// (1 − s)·a + s·b: right between posterior means.
    case linear
    /// Spherical interpolation per step (White 2016): keeps the norm a N(0, I) draw has, right between prior points.
    case slerp
}

public enum LatentInterpolation {
    /// `points` sequences from `a` to `b` (both `[T][Z]`, flattened; `points` >= 2, ends included), laid out
    /// `[T][points][Z]` as `sample(count: points, z:)` takes them. Slerp works on each step's Z-vector.
    public static func path(from a: [Float], to b: [Float], points: Int, steps T: Int, zSize Z: Int,
                            _ kind: LatentPath) throws -> [Float] {
        guard a.count == T * Z, b.count == T * Z else {
            throw DRAWError.shapeMismatch(what: "latent sequence", expected: "[T=\(T)][Z=\(Z)] = \(T * Z)",
                                          got: a.count == T * Z ? b.count : a.count)
        }
        guard points >= 2 else { throw DRAWError.shapeMismatch(what: "interpolation points", expected: ">= 2", got: points) }
        var out = [Float](repeating: 0, count: T * points * Z)
        for t in 0..<T {
            let u = Array(a[(t * Z)..<((t + 1) * Z)]), v = Array(b[(t * Z)..<((t + 1) * Z)])
            let dot = zip(u, v).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let nu = u.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let nv = v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let omega = acos(max(-1, min(1, dot / max(nu * nv, 1e-30))))
            for p in 0..<points {
                let s = Double(p) / Double(points - 1)
                var (wa, wb) = (1 - s, s)
                if kind == .slerp, sin(omega) > 1e-6 {
                    (wa, wb) = (sin((1 - s) * omega) / sin(omega), sin(s * omega) / sin(omega))
                }
                for j in 0..<Z { out[(t * points + p) * Z + j] = Float(wa * Double(u[j]) + wb * Double(v[j])) }
            }
        }
        return out
    }
}
