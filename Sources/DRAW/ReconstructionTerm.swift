// ReconstructionTerm.swift: the shape of a reconstruction term other than the config's BCE/L2 (feature and VAE/GAN losses).
import DRAWKernels

/// A reconstruction term on x̃ = sigmoid(c_T), for `DRAWModel.computeGradients(images:mode:reconstruction:)`.
/// Arguments: x̃ and the data x, both `[B, C, H, W]`, and a zeroed `[B, C, H, W]` buffer to fill with
/// d recon_b / d x̃ (each image's own term, NOT divided by B: the model takes the batch mean). Returns recon_b
/// per image (B values). Called once per `computeGradients`, on the caller's thread.
public typealias ReconstructionTerm = (_ reconstruction: UnsafeBufferPointer<Float>, _ data: UnsafeBufferPointer<Float>,
                                       _ gradient: UnsafeMutableBufferPointer<Float>) throws -> [Double]

/// Reconstruction terms built from the pointwise kernels.
public enum ReconstructionTerms {
    /// 0.5 · Σ_pixels (x̃ − x)², the config's l2 written as a `ReconstructionTerm` (`pixels` = C·H·W).
    public static func l2(pixels P: Int) -> ReconstructionTerm {
        { xt, x, d in
            let B = xt.count / P
            var loss = [Float](repeating: 0, count: B)
            let ones = [Float](repeating: 1, count: B)
            let image = Shape(B, P), a = view(xt.baseAddress!, image), target = view(x.baseAddress!, image)
            loss.withUnsafeMutableBufferPointer { l in
                ones.withUnsafeBufferPointer { o in
                    kernels { () throws(KernelError) in
                        try squaredDistanceForward(loss: view(l.baseAddress!, Shape(B)), a: a, target: target)
                        try squaredDistanceBackward(da: view(d.baseAddress!, image), dloss: view(o.baseAddress!, Shape(B)),
                                                    a: a, target: target)
                    }
                }
            }
            return loss.map(Double.init)
        }
    }

    /// 0.5 · Σ (x̃ − x)² + edgeWeight · edge_b (`EdgeLoss`): the pixel part the features losses add their distance to.
    public static func pixelsAndEdges(planes: Int, height: Int, width: Int, edgeWeight: Float) -> ReconstructionTerm {
        let pixel = l2(pixels: planes * height * width)
        return { xt, x, d in
            var recon = try pixel(xt, x, d)
            guard edgeWeight != 0 else { return recon }
            let edge = EdgeLoss.apply(reconstruction: xt.baseAddress!, data: x.baseAddress!, batch: recon.count, planes: planes,
                                      height: height, width: width, weight: edgeWeight, gradient: d.baseAddress!)
            for b in recon.indices { recon[b] += Double(edgeWeight) * edge[b] }
            return recon
        }
    }
}
