// WatsonLoss.swift: `--loss features --feature-net watson-dft`: pixel L2 plus a weight times the Watson-DFT perceptual distance (no network, no adversary).
import DRAWKernels

/// recon_b = 0.5 Σ (x̃ − x)² + edgeWeight · edge_b (`EdgeLoss`) + weight · watson_b, watson_b the Watson-DFT
/// distance (`ck_watson_forward`: per 8×8 block of every plane, amplitude differences over the data's luminance
/// and contrast mask, plus e^−2 × phase differences). Each DFT coefficient counts alike whatever its frequency,
/// where pixel L2 (Parseval) weights them by their energy, which is small at the high frequencies blur removes.
public struct WatsonLoss {
    public let channels, height, width: Int
    public var weight: Float
    public var edgeWeight: Float

    public init(channels: Int, height: Int, width: Int, weight: Float, edgeWeight: Float = 0) {
        (self.channels, self.height, self.width, self.weight, self.edgeWeight) = (channels, height, width, weight, edgeWeight)
    }

    /// The term for `DRAWModel.computeGradients(images:mode:reconstruction:)`.
    public var term: ReconstructionTerm {
        let base = ReconstructionTerms.pixelsAndEdges(planes: channels, height: height, width: width, edgeWeight: edgeWeight)
        return { [self] xt, x, d in
            var recon = try base(xt, x, d)
            let B = recon.count
            guard weight != 0 else { return recon }
            let watson = try Self.distance(xt, x, gradient: d, weight: weight, channels: channels, height: height, width: width)
            for b in 0..<B { recon[b] += Double(weight) * watson[b] }
            return recon
        }
    }

    /// watson_b for each image, and `weight` · d watson_b / d x̃ added into `gradient` when it is given.
    public static func distance(_ xt: UnsafeBufferPointer<Float>, _ x: UnsafeBufferPointer<Float>,
                                gradient: UnsafeMutableBufferPointer<Float>?, weight: Float,
                                channels C: Int, height H: Int, width W: Int) throws -> [Double] {
        let B = xt.count / (C * H * W), shape = Shape(B, C, H, W)
        var loss = [Double](repeating: 0, count: B)
        let weights = [Float](repeating: weight, count: B)
        try loss.withUnsafeMutableBufferPointer { l in
            try weights.withUnsafeBufferPointer { w in
                let a = view(xt.baseAddress!, shape), target = view(x.baseAddress!, shape)
                try watsonForward(loss: l, reconstruction: a, data: target)
                if let gradient {
                    try watsonBackward(dReconstruction: view(gradient.baseAddress!, shape), dloss: w, reconstruction: a, data: target)
                }
            }
        }
        return loss
    }
}
