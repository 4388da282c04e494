// ConvReference.swift: Float64 reference of the conv nets' kernels (convolution, LeakyReLU, squared distance), written as plain loops.
import Foundation

/// One convolution's sizes: x (B, C, H, W), weight (O, C, k, k), stride s, zero padding p.
public struct ConvShape: Sendable, CustomStringConvertible {
    public let B, C, H, W, O, k, stride, pad: Int
    public init(B: Int, C: Int, H: Int, W: Int, O: Int, k: Int, stride: Int, pad: Int) {
        self.B = B; self.C = C; self.H = H; self.W = W; self.O = O; self.k = k; self.stride = stride; self.pad = pad
    }
    public var Ho: Int { (H + 2 * pad - k) / stride + 1 }
    public var Wo: Int { (W + 2 * pad - k) / stride + 1 }
    public var xCount: Int { B * C * H * W }
    public var weightCount: Int { O * C * k * k }
    public var yCount: Int { B * O * Ho * Wo }
    /// Rows × columns of the im2col buffer.
    public var colCount: Int { C * k * k * B * Ho * Wo }
    public var workCount: Int { O * B * Ho * Wo }
    public var description: String { "B\(B) C\(C) \(H)x\(W) -> O\(O) k\(k) s\(stride) p\(pad) (\(Ho)x\(Wo))" }
}

public enum ConvReference {
    /// y (B, O, Ho, Wo) = Σ_{c,i,j} weight[o, c, i, j] · x[b, c, oh·s − p + i, ow·s − p + j] + bias[o].
    public static func conv(x: [Double], weight: [Double], bias: [Double]?, _ s: ConvShape) -> [Double] {
        var y = [Double](repeating: 0, count: s.yCount)
        for b in 0..<s.B { for o in 0..<s.O { for oh in 0..<s.Ho { for ow in 0..<s.Wo {
            var acc = bias?[o] ?? 0
            for c in 0..<s.C { for i in 0..<s.k { for j in 0..<s.k {
                let h = oh * s.stride - s.pad + i, w = ow * s.stride - s.pad + j
                guard h >= 0, h < s.H, w >= 0, w < s.W else { continue }
                acc += weight[((o * s.C + c) * s.k + i) * s.k + j] * x[((b * s.C + c) * s.H + h) * s.W + w]
            } } }
            y[((b * s.O + o) * s.Ho + oh) * s.Wo + ow] = acc
        } } } }
        return y
    }

    /// The convolution's adjoint in x: dx (B, C, H, W) = Σ_{o,oh,ow} weight[o, c, i, j] · dy[b, o, oh, ow] over the
    /// outputs whose window puts tap (i, j) on pixel (h, w).
    public static func convInputGradient(dy: [Double], weight: [Double], _ s: ConvShape) -> [Double] {
        var dx = [Double](repeating: 0, count: s.xCount)
        for b in 0..<s.B { for o in 0..<s.O { for oh in 0..<s.Ho { for ow in 0..<s.Wo {
            let g = dy[((b * s.O + o) * s.Ho + oh) * s.Wo + ow]
            for c in 0..<s.C { for i in 0..<s.k { for j in 0..<s.k {
                let h = oh * s.stride - s.pad + i, w = ow * s.stride - s.pad + j
                guard h >= 0, h < s.H, w >= 0, w < s.W else { continue }
                dx[((b * s.C + c) * s.H + h) * s.W + w] += weight[((o * s.C + c) * s.k + i) * s.k + j] * g
            } } }
        } } } }
        return dx
    }

    public static func leakyReLU(_ x: [Double], slope: Double) -> [Double] { x.map { $0 > 0 ? $0 : slope * $0 } }

    /// 0.5 Σ (a − t)² per image of P values.
    public static func sqdist(_ a: [Double], _ t: [Double], B: Int, P: Int) -> [Double] {
        (0..<B).map { b in (0..<P).reduce(0.0) { s, i in let d = a[b * P + i] - t[b * P + i]; return s + 0.5 * d * d } }
    }
}
