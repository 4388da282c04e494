// ModelReference.swift: the whole DRAW model in Float64, one SPEC.md equation per line, and its gradient by central differences.
import Foundation

/// A DRAW model written as SPEC.md writes it: no fused buffers, no packing, one image at a time.
/// Parameters are PyTorch state_dict names → row-major values (shapes as in SPEC.md's table).
public struct ModelReference {
    public var C, H, W, T, Nr, Nw, E, D, Z: Int
    public var attention: Bool
    /// true: recon = Σ softplus(c_T) − x·c_T; false: 0.5·Σ (x − σ(c_T))².
    public var bce: Bool
    public var klWeight: Double
    public var parameters: [String: [Double]]

    public init(C: Int, H: Int, W: Int, T: Int, Nr: Int, Nw: Int, E: Int, D: Int, Z: Int,
                attention: Bool, bce: Bool, klWeight: Double, parameters: [String: [Double]]) {
        (self.C, self.H, self.W, self.T, self.Nr, self.Nw, self.E, self.D, self.Z) = (C, H, W, T, Nr, Nw, E, D, Z)
        (self.attention, self.bce, self.klWeight, self.parameters) = (attention, bce, klWeight, parameters)
    }

    /// What one forward pass gives: per-image losses and sigmoid(c_t) for t = 1…T as `[T][B][C·H·W]`.
    public struct Output {
        public var total: [Double], recon: [Double], kl: [Double]
        public var canvases: [Double]
        public var mean: Double { total.reduce(0, +) / Double(total.count) }
    }

    /// y = W·x + b, W `[out, in]` row-major.
    func affine(_ w: [Double], _ b: [Double], _ x: [Double]) -> [Double] {
        let n = x.count
        return b.indices.map { (o: Int) -> Double in
            var y = b[o]
            for i in 0..<n { y += w[o * n + i] * x[i] }
            return y
        }
    }

    /// `linear` y = W·x + b with W named `name.weight`, b `name.bias`.
    func linear(_ name: String, _ x: [Double], using p: [String: [Double]]) -> [Double] {
        affine(p[name + ".weight"]!, p[name + ".bias"]!, x)
    }

    /// PyTorch's LSTMCell: gates = W_ih·x + b_ih + W_hh·h + b_hh (order i, f, g, o), then the cell update.
    func lstm(_ name: String, _ x: [Double], _ h: [Double], _ c: [Double], using p: [String: [Double]])
        -> (h: [Double], c: [Double])
    {
        let gates = zip(affine(p[name + ".weight_ih"]!, p[name + ".bias_ih"]!, x),
                        affine(p[name + ".weight_hh"]!, p[name + ".bias_hh"]!, h)).map(+)
        let cell = PointwiseReference.lstmForward(pre: gates, cPrev: c, B: 1, H: h.count)
        return (cell.h, cell.c)
    }

    /// One window from head `name`'s output on h_dec (SPEC.md step 2): the transformed parameters and the filterbanks.
    func window(_ name: String, _ hDec: [Double], N: Int, using p: [String: [Double]])
        -> (gamma: Double, Fx: [Double], Fy: [Double])
    {
        let a = AttentionWindow(head: linear(name, hDec, using: p), N: N, H: H, W: W)
        return (a.gamma, referenceFilterbank(centre: a.gx, delta: a.delta, sigma2: a.sigma2, N: N, size: W),
                referenceFilterbank(centre: a.gy, delta: a.delta, sigma2: a.sigma2, N: N, size: H))
    }

    /// The forward pass on x `[B, C, H, W]` with ε `[T][B][Z]` (nil: z = μ), parameters `p` (default: the model's).
    public func forward(x: [Double], eps: [Double]?, parameters p: [String: [Double]]? = nil) -> Output {
        let p = p ?? parameters, P = C * H * W, B = x.count / P
        var out = Output(total: [], recon: [], kl: [], canvases: [Double](repeating: 0, count: T * B * P))
        for b in 0..<B {
            let x = Array(x[(b * P)..<((b + 1) * P)])
            var hEnc = [Double](repeating: 0, count: E), cEnc = hEnc
            var hDec = [Double](repeating: 0, count: D), cDec = hDec
            var canvas = [Double](repeating: 0, count: P), kl = 0.0
            for t in 0..<T {
                let xhat = zip(x, canvas).map { $0 - PointwiseReference.sigmoid($1) }                // 1. x̂ = x − σ(c_{t−1})
                var r = x + xhat                                                                    // 2. r = [x, x̂] without attention
                if attention {
                    let read = window("read_attn", hDec, N: Nr, using: p)                           //    read window on h_dec(t−1)
                    r = referenceRead(x: x, xhat: xhat, Fx: read.Fx, Fy: read.Fy, gamma: [read.gamma],
                                      B: 1, C: C, H: H, W: W, N: Nr)                                //    r = [γ Fy x_c Fxᵀ | γ Fy x̂_c Fxᵀ]
                }
                (hEnc, cEnc) = lstm("encoder", r + hDec, hEnc, cEnc, using: p)                       // 3. h_enc = LSTM([r, h_dec(t−1)])
                let mu = linear("mu", hEnc, using: p), logSigma = linear("logsigma", hEnc, using: p) // 4. μ, log σ
                let z = (0..<Z).map { (j: Int) -> Double in mu[j] + Foundation.exp(logSigma[j]) * (eps?[(t * B + b) * Z + j] ?? 0) }
                for j in 0..<Z { kl += 0.5 * (mu[j] * mu[j] + Foundation.exp(2 * logSigma[j]) - 2 * logSigma[j] - 1) }
                (hDec, cDec) = lstm("decoder", z, hDec, cDec, using: p)                              // 5. h_dec = LSTM(z)
                let w = linear("write", hDec, using: p)                                             // 6. w = write(h_dec(t))
                if attention {
                    let write = window("write_attn", hDec, N: Nw, using: p)
                    canvas = referenceWrite(canvas: canvas, w: w, Fx: write.Fx, Fy: write.Fy, gamma: [write.gamma],
                                            B: 1, C: C, H: H, W: W, N: Nw)                          //    c_t = c_{t−1} + (1/γ) Fyᵀ w_c Fx
                } else {
                    canvas = zip(canvas, w).map(+)                                                  //    c_t = c_{t−1} + w
                }
                for i in 0..<P { out.canvases[(t * B + b) * P + i] = PointwiseReference.sigmoid(canvas[i]) }
            }
            let recon = bce ? PointwiseReference.bce(canvas: canvas, x: x, B: 1, P: P)[0]
                            : PointwiseReference.l2(canvas: canvas, x: x, B: 1, P: P)[0]
            out.recon.append(recon); out.kl.append(kl); out.total.append(recon + klWeight * kl)
        }
        return out
    }

    /// d(batch-mean total)/d(every parameter) by central differences (L(θ + h e_i) − L(θ − h e_i)) / 2h of the
    /// Float64 forward, h = `step`: truncation error O(h²), rounding about 1e-16·L/h.
    public func gradient(x: [Double], eps: [Double]?, step h: Double = 1e-5) -> [String: [Double]] {
        var grads: [String: [Double]] = [:]
        for (name, values) in parameters {
            grads[name] = values.indices.map { i in
                var plus = parameters, minus = parameters
                plus[name]![i] += h
                minus[name]![i] -= h
                return (forward(x: x, eps: eps, parameters: plus).mean - forward(x: x, eps: eps, parameters: minus).mean) / (2 * h)
            }
        }
        return grads
    }
}
