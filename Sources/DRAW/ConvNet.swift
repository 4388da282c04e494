// ConvNet.swift: a small NCHW conv net (conv + LeakyReLU layers, optional linear logit head) with its own slabs and Adam: the discriminator and the frozen feature net.
import DRAWKernels
import Foundation

/// A stack of `conv → LeakyReLU` layers on `[B, C, H, W]` images, optionally followed by one linear layer to a
/// logit per image (the flattened last map). Parameters, gradients and Adam moments are one slab each; tensor
/// names are PyTorch's `nn.Conv2d`/`nn.Linear` ones under `prefix` (`<prefix>conv.0.weight`, `<prefix>fc.bias`).
/// A forward's activations live in a numbered slot (one per batch size and slot, kept between calls), so several
/// batches can be forwarded and each backpropagated later. Not thread-safe.
public final class ConvNet {
    /// One convolution: output channels, square kernel, stride, zero padding.
    public struct Layer: Sendable, Equatable {
        public let channels, kernel, stride, pad: Int
        public init(channels: Int, kernel: Int, stride: Int, pad: Int) {
            self.channels = channels; self.kernel = kernel; self.stride = stride; self.pad = pad
        }
    }

    /// (channels, height, width) of the input and of each layer's output map.
    public let input: (channels: Int, height: Int, width: Int)
    public let layers: [Layer]
    public private(set) var maps: [(channels: Int, height: Int, width: Int)] = []
    public let hasHead: Bool
    public let prefix: String
    /// LeakyReLU's negative slope (0: ReLU).
    public let slope: Float
    /// The named tensors: (name, shape, offset in the slabs).
    public private(set) var tensors: [(name: String, shape: [Int], offset: Int)] = []
    let params, grads, adamM, adamV: FloatArena
    public var adam = AdamSettings(learningRate: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-8, clip: 0)
    /// What the convolutions' forward and input-gradient products multiply (the model's `--precision`); the
    /// weight gradients, the head and everything else stay float32.
    public var precision = Precision.float32
    public internal(set) var step: Int64 = 0

    private var weightOffsets: [(w: Int, b: Int)] = []
    private var headOffsets = (w: 0, b: 0)
    private var batch = 0
    private var act: [UnsafeMutablePointer<Float>] = [], dAct: [UnsafeMutablePointer<Float>] = []
    private var cols: [UnsafeMutablePointer<Float>] = []
    private var work: UnsafeMutablePointer<Float>!, dcol: UnsafeMutablePointer<Float>!, dPre: UnsafeMutablePointer<Float>!
    private var logitBuffer: UnsafeMutablePointer<Float>!
    /// The batch size of each slot's last forward.
    private var slotBatch: [Int: Int] = [:]

    /// Weights drawn from `seed`: U(±initGain/√fan_in) for every weight and bias (initGain 1 is PyTorch's default
    /// init; √6 is He's uniform init, which keeps a frozen ReLU net's features from shrinking layer by layer).
    public init(prefix: String, input: (channels: Int, height: Int, width: Int), layers: [Layer], head: Bool,
                slope: Float = 0.2, seed: UInt64, initGain: Float = 1) throws {
        self.prefix = prefix; self.input = input; self.layers = layers; self.hasHead = head; self.slope = slope
        guard !layers.isEmpty else { throw DRAWError.invalidConfig(field: "\(prefix)layers", reason: "no layers") }
        var plan = FloatArena.Plan()
        var shape = input
        var named: [(String, [Int], Int, Int)] = []  // name, shape, offset, fan_in
        for (i, l) in layers.enumerated() {
            guard l.channels >= 1, l.kernel >= 1, l.stride >= 1, l.pad >= 0, l.pad < l.kernel,
                  shape.height + 2 * l.pad >= l.kernel, shape.width + 2 * l.pad >= l.kernel else {
                throw DRAWError.invalidConfig(field: "\(prefix)conv.\(i)",
                                              reason: "kernel \(l.kernel) stride \(l.stride) pad \(l.pad) does not fit a \(shape.height)x\(shape.width) map")
            }
            let fanIn = shape.channels * l.kernel * l.kernel
            let w = plan.reserve(l.channels * fanIn), b = plan.reserve(l.channels)
            named.append(("\(prefix)conv.\(i).weight", [l.channels, shape.channels, l.kernel, l.kernel], w, fanIn))
            named.append(("\(prefix)conv.\(i).bias", [l.channels], b, fanIn))
            weightOffsets.append((w, b))
            shape = (l.channels, (shape.height + 2 * l.pad - l.kernel) / l.stride + 1,
                     (shape.width + 2 * l.pad - l.kernel) / l.stride + 1)
            maps.append(shape)
        }
        if head {
            let features = shape.channels * shape.height * shape.width
            headOffsets = (plan.reserve(features), plan.reserve(1))
            named.append(("\(prefix)fc.weight", [1, features], headOffsets.w, features))
            named.append(("\(prefix)fc.bias", [1], headOffsets.b, features))
        }
        params = FloatArena(plan); grads = FloatArena(plan); adamM = FloatArena(plan); adamV = FloatArena(plan)
        var rng = KernelRandom(seed: seed)
        for (name, shape, offset, fanIn) in named {
            let n = shape.reduce(1, *), bound = initGain / Float(fanIn).squareRoot()
            let values = view(params.base + offset, Shape(n))
            kernels { () throws(KernelError) in try rng.fillUniform(values) }
            for i in offset..<(offset + n) { params.base[i] = (2 * params.base[i] - 1) * bound }
            tensors.append((name, shape, offset))
        }
    }

    /// Floats per image of layer `l`'s output map.
    public func featureSize(layer l: Int) -> Int { maps[l].channels * maps[l].height * maps[l].width }
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    // MARK: forward and backward

    /// Runs `x` (`[B, C, H, W]`) through the net; returns the logits (B) when there is a head. Layer outputs stay
    /// available through `features(layer:slot:)`, and for `backward(slot:)`, until the slot's next forward.
    @discardableResult
    public func forward(_ x: UnsafePointer<Float>, batch B: Int, slot: Int = 0) -> UnsafeBufferPointer<Float> {
        prepare(batch: B, slot: slot)
        slotBatch[slot] = B
        var src = x
        for (i, l) in layers.enumerated() {
            let o = weightOffsets[i], g = geometry(layer: i)
            let y = view(act[i], g.output(channels: l.channels))
            kernels { () throws(KernelError) in
                try conv2dForward(y: y, col: view(cols[i], g.columns), work: view(work, g.work(channels: l.channels)),
                                  x: view(src, g.input), weight: view(params.base + o.w, g.weight(channels: l.channels)),
                                  bias: view(params.base + o.b, Shape(l.channels)), bf16Scratch: bf16Scratch(layer: i), g)
                try leakyReLUForward(y: y, x: y, slope: slope)
            }
            src = UnsafePointer(act[i])
        }
        guard hasHead else { return UnsafeBufferPointer(start: nil, count: 0) }
        let F = featureSize(layer: layers.count - 1)
        kernels { () throws(KernelError) in
            try linearForward(y: view(logitBuffer, Shape(B, 1)), x: view(act[layers.count - 1], Shape(B, F)),
                              weight: view(params.base + headOffsets.w, Shape(1, F)), bias: view(params.base + headOffsets.b, Shape(1)))
        }
        return UnsafeBufferPointer(start: logitBuffer, count: B)
    }

    /// Layer `l`'s output of the slot's last forward, `[B, featureSize(layer: l)]`.
    public func features(layer l: Int, slot: Int = 0) -> UnsafeBufferPointer<Float> {
        select(slot: slot)
        return UnsafeBufferPointer(start: act[l], count: batch * featureSize(layer: l))
    }

    /// Backpropagates the slot's last forward from d loss / d logits (B, or nil) and d loss / d features of some
    /// layers (`[B, featureSize]` each). Accumulates the parameter gradients when `parameters` is true, and
    /// d loss / d x into `dInput` (`[B, C, H, W]`, +=) when given.
    public func backward(dLogits: UnsafePointer<Float>?, dFeatures: [(layer: Int, gradient: UnsafePointer<Float>)] = [],
                         dInput: UnsafeMutablePointer<Float>?, parameters: Bool, slot: Int = 0) {
        backward(dLogits: dLogits, dFeatures: dFeatures, dInput: dInput, parameters: parameters, slot: slot, imageScales: nil)
    }

    /// One backward of the slot's last forward for two per-image seeds on the logits: the parameter gradients
    /// accumulate as for d loss / d logits = `parameterSeeds` (B), and `dInput` (`[B, C, H, W]`, +=) receives d / d x
    /// for the seeds `inputSeeds` (B). Image b's gradients are multiples of one Jacobian (its logit's), so the pass
    /// runs with unit seeds and each scale enters where it is used: a layer's dPre, per image, before its weight
    /// product, and the input gradient per image. (What the VAE/GAN step needs on x̃: the discriminator's update
    /// and the decoder's GAN term, one backward instead of two; dividing one seed by the other would fail where a
    /// sigmoid saturates.) Needs the head.
    public func backward(parameterSeeds a: UnsafePointer<Float>, inputSeeds s: UnsafePointer<Float>,
                         dInput: UnsafeMutablePointer<Float>, slot: Int = 0) {
        precondition(hasHead, "ConvNet.backward(parameterSeeds:) needs the logit head")
        let ones = [Float](repeating: 1, count: slotBatch[slot] ?? 0)
        backward(dLogits: ones, dInput: dInput, parameters: true, slot: slot, imageScales: (a, s))
    }

    /// The backward both public ones run. With `imageScales`, image b's parameter gradient is scaled by
    /// `parameters[b]` (its dPre, before each weight product; dy·scale for the head) and its input gradient by
    /// `input[b]` (gathered unscaled in the scratch, then added to dInput scaled).
    private func backward(dLogits: UnsafePointer<Float>?, dFeatures: [(layer: Int, gradient: UnsafePointer<Float>)] = [],
                          dInput: UnsafeMutablePointer<Float>?, parameters: Bool, slot: Int,
                          imageScales: (parameters: UnsafePointer<Float>, input: UnsafePointer<Float>)?) {
        select(slot: slot)
        let B = batch, top = layers.count - 1, g = grads.base, p = params.base, P = input.channels * input.height * input.width
        for i in 0...top { zero(dAct[i], B * featureSize(layer: i)) }
        if let dLogits, hasHead {
            let F = featureSize(layer: top), x = view(act[top], Shape(B, F)), w = view(p + headOffsets.w, Shape(1, F))
            let dW = parameters ? view(g + headOffsets.w, Shape(1, F)) : nil, db = parameters ? view(g + headOffsets.b, Shape(1)) : nil
            let scaled = imageScales.map { sc in (0..<B).map { dLogits[$0] * sc.parameters[$0] } }
            kernels { () throws(KernelError) in
                if let scaled {
                    try linearBackward(dx: view(dAct[top], Shape(B, F)), dW: nil, db: nil, dy: view(dLogits, Shape(B, 1)), x: x, weight: w)
                    try scaled.withUnsafeBufferPointer { d throws(KernelError) in
                        try linearBackward(dx: nil, dW: dW, db: db, dy: view(d.baseAddress!, Shape(B, 1)), x: x, weight: w)
                    }
                } else {
                    try linearBackward(dx: view(dAct[top], Shape(B, F)), dW: dW, db: db, dy: view(dLogits, Shape(B, 1)), x: x, weight: w)
                }
            }
        }
        if dInput == nil && !parameters { return }
        // Layers above the highest one that receives a gradient pass zeros: skip them.
        let first = dLogits != nil && hasHead ? top : (dFeatures.map(\.layer).max() ?? -1)
        guard first >= 0 else { return }
        // With input scales, layer 0's gradient is gathered unscaled first.
        let unitInput = imageScales != nil && dInput != nil ? scratch[B]!.input : nil
        if let unitInput { zero(unitInput, B * P) }
        for i in stride(from: first, through: 0, by: -1) {
            let per = featureSize(layer: i), n = B * per
            for d in dFeatures where d.layer == i { add(dAct[i], d.gradient, n) }
            zero(dPre, n)
            let l = layers[i], o = weightOffsets[i], geo = geometry(layer: i), O = l.channels
            let dx: UnsafeMutablePointer<Float>? = i == 0 ? (unitInput ?? dInput) : dAct[i - 1]
            let map = Shape(n), weight = geo.weight(channels: O), work = view(work, geo.work(channels: O))
            let dW = parameters ? view(g + o.w, weight) : nil, db = parameters ? view(g + o.b, Shape(O)) : nil
            func convBackward(dx: UnsafeMutablePointer<Float>?, dW: ShapedBuffer?, db: ShapedBuffer?) {
                kernels { () throws(KernelError) in
                    try conv2dBackward(dx: dx.map { view($0, geo.input) }, dweight: dW, dbias: db, work: work,
                                       dcol: dx == nil ? nil : view(dcol, geo.columns), bf16Scratch: bf16Scratch(layer: i),
                                       dy: view(dPre, geo.output(channels: O)), col: view(cols[i], geo.columns),
                                       weight: view(p + o.w, weight), geo)
                }
            }
            kernels { () throws(KernelError) in
                try leakyReLUBackward(dx: view(dPre, map), dy: view(dAct[i], map), y: view(act[i], map), slope: slope)
            }
            if let imageScales, parameters {
                if dx != nil { convBackward(dx: dx, dW: nil, db: nil) }
                scaleRows(dPre, rows: B, columns: per, by: imageScales.parameters)
                convBackward(dx: nil, dW: dW, db: db)
            } else {
                convBackward(dx: dx, dW: dW, db: db)
            }
        }
        if let unitInput, let dInput, let imageScales {
            for b in 0..<B {
                let scale = imageScales.input[b], d = dInput + b * P, u = unitInput + b * P
                for j in 0..<P { d[j] += scale * u[j] }
            }
        }
    }

    /// Layer `l`'s share of the bf16 products' scratch on the current batch, nil in float32.
    private func bf16Scratch(layer l: Int) -> ShapedBuffer? {
        guard precision == .bf16 else { return nil }
        let shape = geometry(layer: l).bf16Scratch(channels: layers[l].channels)
        if bf16Buffers[batch] == nil {
            let most = layers.indices.map { geometry(layer: $0).bf16Scratch(channels: layers[$0].channels).count }.max()!
            var plan = FloatArena.Plan()
            _ = plan.reserve(most)
            bf16Buffers[batch] = FloatArena(plan)
        }
        return view(bf16Buffers[batch]!.base, shape)
    }

    /// Layer `l`'s convolution on the current batch (its input is the previous layer's map).
    private func geometry(layer l: Int) -> ConvolutionGeometry {
        let s = l == 0 ? input : maps[l - 1], layer = layers[l]
        return kernels { () throws(KernelError) in
            try ConvolutionGeometry(input: Shape(batch, s.channels, s.height, s.width), kernel: layer.kernel,
                                    stride: layer.stride, pad: layer.pad)
        }
    }

    // MARK: optimizer and tensors

    public func zeroGradients() { zero(grads.base, grads.count) }

    /// One Adam step on the accumulated gradients (which are then left as they are), each first multiplied by
    /// `gradientScale` (1/ranks after an allreduce sum).
    public func applyAdam(gradientScale: Float = 1) throws {
        let bad = kernels { () throws(KernelError) in try nonFiniteCount(grads.all) }
        if bad > 0 { throw DRAWError.nonFiniteGradient(step: step + 1, count: bad) }
        step += 1
        let settings = AdamStep(learningRate: adam.learningRate, beta1: adam.beta1, beta2: adam.beta2,
                                epsilon: adam.epsilon, clip: adam.clip, gradientScale: gradientScale, step: step)
        kernels { () throws(KernelError) in
            try adamUpdate(parameters: params.all, m: adamM.all, v: adamV.all, gradient: grads.all, settings)
        }
    }

    /// The weights under their PyTorch names, then Adam's moments as `<name>.adam_m` / `<name>.adam_v`.
    public func namedTensors(optimizer: Bool = true) -> [(name: String, shape: [Int], values: [Float])] {
        var out: [(String, [Int], [Float])] = []
        for t in tensors {
            let n = t.shape.reduce(1, *)
            out.append((t.name, t.shape, Array(UnsafeBufferPointer(start: params.base + t.offset, count: n))))
            if optimizer {
                out.append((t.name + ".adam_m", t.shape, Array(UnsafeBufferPointer(start: adamM.base + t.offset, count: n))))
                out.append((t.name + ".adam_v", t.shape, Array(UnsafeBufferPointer(start: adamV.base + t.offset, count: n))))
            }
        }
        return out
    }

    /// Writes the weights, Adam's moments and step to a safetensors file (metadata `<prefix>step`).
    public func save(to path: String) throws {
        let named = namedTensors()
        try withBuffers(named.map(\.values)) { buffers in
            try writeSafeTensors(path: path, metadata: ["\(prefix)step": String(step)],
                                 tensors: zip(named, buffers).map { ($0.0.name, $0.0.shape, $0.1) })
        }
    }

    /// Reads what `save(to:)` wrote; shapes must match this net's. Adam's state is restored when present.
    public func restore(from path: String) throws {
        let file = try SafeTensorsFile(path: path)
        for t in tensors {
            try file.readFloats(t.name, shape: t.shape, into: params.base + t.offset)
            if file.entries[t.name + ".adam_m"] != nil {
                try file.readFloats(t.name + ".adam_m", shape: t.shape, into: adamM.base + t.offset)
                try file.readFloats(t.name + ".adam_v", shape: t.shape, into: adamV.base + t.offset)
            }
        }
        if let s = file.metadata["\(prefix)step"] {
            guard let v = Int64(s) else { throw DRAWError.badMetadata(path: path, key: "\(prefix)step", reason: "not an integer") }
            step = v
        }
    }

    /// The parameter slab, for tests (finite differences).
    public func withParameters<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(params.buffer)
    }
    public var gradientSlab: UnsafeBufferPointer<Float> { UnsafeBufferPointer(grads.buffer) }
    /// The gradient slab, writable (summed over ranks in place by a data-parallel step).
    public func withGradients<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(grads.buffer)
    }

    // MARK: buffers

    /// What a forward leaves for its backward and `features`: each layer's output and columns, and the logits. One
    /// set per slot and batch size, kept, since reallocating them every step cost more than the small convolutions
    /// (the discriminator forwards x, x̃ and prior samples into three slots every step).
    private struct SlotBuffers {
        let arena: FloatArena
        let act, cols: [UnsafeMutablePointer<Float>]
        let logits: UnsafeMutablePointer<Float>
    }
    /// Scratch a forward or backward overwrites before reading (layer gradients, the GEMM's work, dcol, dPre, and
    /// the unit-seed input gradient of `backward(parameterSeeds:)`): one set per batch size, shared by the slots.
    private struct Scratch {
        let arena: FloatArena
        let dAct: [UnsafeMutablePointer<Float>]
        let work, dcol, dPre, input: UnsafeMutablePointer<Float>
    }
    private struct BufferKey: Hashable { let slot, batch: Int }
    private var slotBuffers: [BufferKey: SlotBuffers] = [:]
    private var scratch: [Int: Scratch] = [:]
    /// The bf16 products' scratch, per batch size (only with precision bf16).
    private var bf16Buffers: [Int: FloatArena] = [:]
    private var current: BufferKey?

    /// Makes the slot's last forward current (precondition: the slot has had one).
    private func select(slot: Int) {
        guard let B = slotBatch[slot] else { preconditionFailure("ConvNet slot \(slot) has no forward") }
        prepare(batch: B, slot: slot)
    }

    private func prepare(batch B: Int, slot: Int) {
        let key = BufferKey(slot: slot, batch: B)
        guard key != current else { return }
        // Per layer: the output map (B · featureSize) and the columns (C·k² · B·Ho·Wo of its input).
        var shape = input, mapSizes: [Int] = [], colSizes: [Int] = []
        for (i, l) in layers.enumerated() {
            mapSizes.append(B * featureSize(layer: i))
            colSizes.append(shape.channels * l.kernel * l.kernel * B * maps[i].height * maps[i].width)
            shape = maps[i]
        }
        if slotBuffers[key] == nil {
            var plan = FloatArena.Plan()
            let actO = mapSizes.map { plan.reserve($0) }, colO = colSizes.map { plan.reserve($0) }, lg = plan.reserve(B)
            let arena = FloatArena(plan)
            slotBuffers[key] = SlotBuffers(arena: arena, act: actO.map { arena[$0] }, cols: colO.map { arena[$0] },
                                           logits: arena[lg])
        }
        if scratch[B] == nil {
            var plan = FloatArena.Plan()
            let maxMap = mapSizes.max()!, dActO = mapSizes.map { plan.reserve($0) }
            let w = plan.reserve(maxMap), d = plan.reserve(colSizes.max()!), pre = plan.reserve(maxMap)
            let x = plan.reserve(B * input.channels * input.height * input.width)
            let arena = FloatArena(plan)
            scratch[B] = Scratch(arena: arena, dAct: dActO.map { arena[$0] }, work: arena[w], dcol: arena[d], dPre: arena[pre],
                                 input: arena[x])
        }
        let b = slotBuffers[key]!, t = scratch[B]!
        act = b.act; cols = b.cols; logitBuffer = b.logits
        dAct = t.dAct; work = t.work; dcol = t.dcol; dPre = t.dPre
        batch = B; current = key
    }
}

/// Runs `body` with buffer pointers to each array (kept alive for the call).
func withBuffers<R>(_ arrays: [[Float]], _ body: ([UnsafeBufferPointer<Float>]) throws -> R) rethrows -> R {
    var pointers: [UnsafeBufferPointer<Float>] = []
    func nest(_ i: Int) throws -> R {
        if i == arrays.count { return try body(pointers) }
        return try arrays[i].withUnsafeBufferPointer { p in pointers.append(p); return try nest(i + 1) }
    }
    return try nest(0)
}
