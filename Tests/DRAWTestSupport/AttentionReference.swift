// AttentionReference.swift: naive Float64 attention (head → window → filterbanks), read glimpses and write, from SPEC.md step 2 and 6.
import Foundation

/// One attention window (SPEC.md): centre, variance, stride, intensity.
public struct AttentionWindow: Sendable {
    public var gx, gy, sigma2, delta, gamma: Double
    public var array: [Double] { [gx, gy, sigma2, delta, gamma] }

    /// From the raw head outputs (g̃x, g̃y, log σ², log δ̃, log γ) for an H×W image and an N×N window.
    public init(head h: [Double], N: Int, H: Int, W: Int) {
        gx = Double(W + 1) / 2 * (h[0] + 1)
        gy = Double(H + 1) / 2 * (h[1] + 1)
        sigma2 = Foundation.exp(h[2])
        delta = Double(max(H, W) - 1) / Double(N - 1) * Foundation.exp(h[3])
        gamma = Foundation.exp(h[4])
    }
}

/// Filterbank (N, size) row-major on the 1-based grid: F[i, a] = exp(−(a − μ_i)² / 2σ²), μ_i = g + (i − N/2 − 0.5)δ,
/// i = 1…N, a = 0…size−1, each row divided by max(row sum, 1e-8).
public func referenceFilterbank(centre g: Double, delta: Double, sigma2: Double, N: Int, size: Int) -> [Double] {
    var F = [Double](repeating: 0, count: N * size)
    for i in 1...N {
        let mu = g + (Double(i) - Double(N) / 2 - 0.5) * delta
        var sum = 0.0
        for a in 0..<size {
            let e = Foundation.exp(-(Double(a) - mu) * (Double(a) - mu) / (2 * sigma2))
            F[(i - 1) * size + a] = e
            sum += e
        }
        let den = max(sum, 1e-8)
        for a in 0..<size { F[(i - 1) * size + a] /= den }
    }
    return F
}

/// Attention for a batch: params (B, 5), Fx (B, N, W), Fy (B, N, H), from head (B, 5).
public func referenceAttention(head: [Double], B: Int, N: Int, H: Int, W: Int)
    -> (params: [Double], Fx: [Double], Fy: [Double]) {
    var params: [Double] = [], Fx: [Double] = [], Fy: [Double] = []
    for b in 0..<B {
        let p = AttentionWindow(head: Array(head[(b * 5)..<(b * 5 + 5)]), N: N, H: H, W: W)
        params += p.array
        Fx += referenceFilterbank(centre: p.gx, delta: p.delta, sigma2: p.sigma2, N: N, size: W)
        Fy += referenceFilterbank(centre: p.gy, delta: p.delta, sigma2: p.sigma2, N: N, size: H)
    }
    return (params, Fx, Fy)
}

/// γ · Fy X Fxᵀ (N, N) for one channel X (H, W), straight from the definition.
public func referenceGlimpse(_ X: ArraySlice<Double>, Fx: ArraySlice<Double>, Fy: ArraySlice<Double>,
                             gamma: Double, H: Int, W: Int, N: Int) -> [Double] {
    let x0 = X.startIndex, fx0 = Fx.startIndex, fy0 = Fy.startIndex
    var out = [Double](repeating: 0, count: N * N)
    for j in 0..<N {
        for i in 0..<N {
            var s = 0.0
            for h in 0..<H {
                for w in 0..<W { s += Fy[fy0 + j * H + h] * X[x0 + h * W + w] * Fx[fx0 + i * W + w] }
            }
            out[j * N + i] = gamma * s
        }
    }
    return out
}

/// r (B, 2·C·N²) = [γ Fy x_c Fxᵀ for each c | γ Fy x̂_c Fxᵀ for each c]; x, xhat (B, C, H, W); gamma (B).
public func referenceRead(x: [Double], xhat: [Double], Fx: [Double], Fy: [Double], gamma: [Double],
                          B: Int, C: Int, H: Int, W: Int, N: Int) -> [Double] {
    var r: [Double] = []
    for b in 0..<B {
        let fx = Fx[(b * N * W)..<((b + 1) * N * W)], fy = Fy[(b * N * H)..<((b + 1) * N * H)]
        for source in [x, xhat] {
            for c in 0..<C {
                let at = (b * C + c) * H * W
                r += referenceGlimpse(source[at..<(at + H * W)], Fx: fx, Fy: fy, gamma: gamma[b], H: H, W: W, N: N)
            }
        }
    }
    return r
}

/// canvas (B, C, H, W) + (1/γ) Fyᵀ w_c Fx for each channel; w (B, C·N²).
public func referenceWrite(canvas: [Double], w: [Double], Fx: [Double], Fy: [Double], gamma: [Double],
                           B: Int, C: Int, H: Int, W: Int, N: Int) -> [Double] {
    var out = canvas
    for b in 0..<B {
        for c in 0..<C {
            for h in 0..<H {
                for a in 0..<W {
                    var s = 0.0
                    for j in 0..<N {
                        for i in 0..<N {
                            s += Fy[b * N * H + j * H + h] * w[b * C * N * N + c * N * N + j * N + i]
                                * Fx[b * N * W + i * W + a]
                        }
                    }
                    out[((b * C + c) * H + h) * W + a] += s / gamma[b]
                }
            }
        }
    }
    return out
}
