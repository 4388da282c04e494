// FeatureLoss.swift: `--loss features`: pixel L2 plus the squared distance of a frozen, randomly initialised conv net's features (no adversary).

/// recon_b = 0.5 Σ_pixels (x̃ − x)² + edgeWeight · edge_b (`EdgeLoss`) + weight · Σ_l (P / n_l) · 0.5 Σ (φ_l(x̃) − φ_l(x))², over the layers φ_l of a
/// frozen ReLU conv net with He-uniform random weights (n_l floats per image, P pixels: each layer counts about as
/// much as the pixels). Random conv features respond to edges and texture at several scales, so a blurred x̃ is far
/// from x in them even where its pixel error is small.
public final class FeatureLoss {
    public let net: ConvNet
    public var weight: Float
    /// Weight of the edge term (`EdgeLoss`: squared distance of the spatial gradients) added to recon.
    public var edgeWeight: Float

    /// 32×32 and smaller: 16 → 32 → 64 channels (3×3 stride 1, then 4×4 stride 2 twice); larger images get one more
    /// stride-2 layer of 128 per doubling (up to 4 stride-2 layers).
    public init(channels: Int, height: Int, width: Int, weight: Float = 1, edgeWeight: Float = 0,
                seed: UInt64 = 0xfea7) throws {
        var layers = [ConvNet.Layer(channels: 16, kernel: 3, stride: 1, pad: 1)]
        var size = min(height, width), ch = 32
        while size > 4, layers.count < 5, (layers.count < 3 || size > 8) {
            layers.append(ConvNet.Layer(channels: ch, kernel: 4, stride: 2, pad: 1))
            size /= 2; ch = min(ch * 2, 128)
        }
        net = try ConvNet(prefix: "features.", input: (channels, height, width), layers: layers, head: false,
                          slope: 0, seed: seed, initGain: Float(6).squareRoot())
        self.weight = weight; self.edgeWeight = edgeWeight
    }

    /// The term for `DRAWModel.computeGradients(images:mode:reconstruction:)`.
    public var term: ReconstructionTerm {
        { [self] xt, x, d in
            let n = net.input, P = n.channels * n.height * n.width, B = xt.count / P, L = net.layers.count
            var recon = try ReconstructionTerms.pixelsAndEdges(planes: n.channels, height: n.height, width: n.width,
                                                               edgeWeight: edgeWeight)(xt, x, d)
            guard weight != 0 else { return recon }
            net.forward(x.baseAddress!, batch: B)
            let targets = (0..<L).map { Array(net.features(layer: $0)) }
            net.forward(xt.baseAddress!, batch: B)
            var dFeatures: [[Float]] = []
            for l in 0..<L {
                let f = net.features(layer: l), F = net.featureSize(layer: l), scale = weight * Float(P) / Float(F)
                var loss = [Float](repeating: 0, count: B), g = [Float](repeating: 0, count: B * F)
                rowsSquaredDistanceForward(&loss, f.baseAddress!, targets[l], rows: B, columns: F)
                rowsSquaredDistanceBackward(&g, [Float](repeating: scale, count: B), f.baseAddress!, targets[l], rows: B, columns: F)
                for b in 0..<B { recon[b] += Double(scale) * Double(loss[b]) }
                dFeatures.append(g)
            }
            withBuffers(dFeatures) { g in
                net.backward(dLogits: nil, dFeatures: g.enumerated().map { ($0.offset, $0.element.baseAddress!) },
                             dInput: d.baseAddress!, parameters: false)
            }
            return recon
        }
    }
}
