// Checkpoint.swift: saving and loading a model as SPEC.md safetensors, with Adam state, step, KL weight and RNG for exact resumes.
import DRAWKernels
import Foundation

/// Metadata keys beside SPEC.md's `config`. Floats are written as Swift's shortest round-trip decimal, so they
/// read back bit for bit.
enum CheckpointKey {
    static let config = "config", format = "format", step = "step", klWeight = "kl_weight", rng = "rng_state"
    static let lr = "adam_lr", beta1 = "adam_beta1", beta2 = "adam_beta2", eps = "adam_eps", clip = "adam_clip"
    static let maxNorm = "adam_max_grad_norm"
    static let formatValue = "draw-swift-1"
    static let adamM = "adam.m.", adamV = "adam.v."
}

extension DRAWModel {
    /// Writes the model to `path` (SPEC.md safetensors: PyTorch names and shapes, config JSON under
    /// `__metadata__.config`), plus Adam's moments as `adam.m.<name>` / `adam.v.<name>` and the step, KL weight,
    /// Adam settings and RNG state as metadata, so a loaded model continues training exactly as this one would.
    /// Atomic: a crash leaves either the old file or the new one. `trainingState: false` writes the weights and
    /// config alone (what PyTorch's `load_state_dict(strict=True)` takes: `model.safetensors`, `best.safetensors`).
    /// Refuses, writing nothing, when a parameter or Adam moment is not finite: no file ever holds a poisoned model.
    public func save(to path: String, trainingState: Bool = true) throws {
        if let bad = firstNonFiniteTensor(includeAdam: trainingState) {
            throw DRAWError.nonFiniteState(path: path, tensor: bad)
        }
        var metadata: [String: String] = [
            CheckpointKey.config: config.jsonString(),
            CheckpointKey.format: CheckpointKey.formatValue,
            CheckpointKey.step: String(step),
            CheckpointKey.klWeight: "\(klWeight)",
            CheckpointKey.rng: rngState.map { String($0, radix: 16) }.joined(separator: ","),
            CheckpointKey.lr: "\(adam.learningRate)", CheckpointKey.beta1: "\(adam.beta1)",
            CheckpointKey.beta2: "\(adam.beta2)", CheckpointKey.eps: "\(adam.epsilon)", CheckpointKey.clip: "\(adam.clip)",
        ]
        if let m = adam.maxGradNorm { metadata[CheckpointKey.maxNorm] = "\(m)" }
        if !trainingState {
            metadata = [CheckpointKey.config: config.jsonString(), CheckpointKey.format: CheckpointKey.formatValue,
                        CheckpointKey.step: String(step)]
        }
        var tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)] = []
        for t in layout.tensors {
            tensors.append((t.name, t.shape, UnsafeBufferPointer(start: params.base + t.offset, count: t.count)))
            guard trainingState else { continue }
            tensors.append((CheckpointKey.adamM + t.name, t.shape, UnsafeBufferPointer(start: adamM.base + t.offset, count: t.count)))
            tensors.append((CheckpointKey.adamV + t.name, t.shape, UnsafeBufferPointer(start: adamV.base + t.offset, count: t.count)))
        }
        try writeSafeTensors(path: path, metadata: metadata, tensors: tensors)
    }

    /// Loads a model from a safetensors file: the config comes from its `__metadata__.config`; every parameter
    /// must be present as float32 with its PyTorch shape. Adam state, step, KL weight and RNG are restored when
    /// present (SPEC.md fixtures have only weights: then Adam starts fresh and the RNG from `seed`).
    public convenience init(contentsOf path: String, seed: UInt64 = 0) throws {
        let file = try SafeTensorsFile(path: path)
        guard let json = file.metadata[CheckpointKey.config] else {
            throw DRAWError.badMetadata(path: path, key: CheckpointKey.config,
                                        reason: "missing: a DRAW checkpoint keeps its config JSON in __metadata__")
        }
        let config: DRAWConfig
        do { config = try DRAWConfig.decode(json: Data(json.utf8), source: "\(path): __metadata__.config") } catch let e as DRAWError {
            throw DRAWError.badMetadata(path: path, key: CheckpointKey.config, reason: e.description)
        }
        // The config is the file's: before allocating for it, the file must hold every parameter tensor, so a
        // small file declaring a huge model is refused instead of allocating gigabytes.
        for t in ParameterLayout(config: config).tensors { try file.checkFloats(t.name, shape: t.shape) }
        try self.init(config: config, seed: seed)
        try restore(from: file)
    }

    /// Replaces this model's parameters (and optimizer state, when the file has it) with a checkpoint's.
    /// Throws, leaving the model unchanged, when the file's config differs from this model's or anything is malformed.
    public func load(from path: String) throws {
        let file = try SafeTensorsFile(path: path)
        guard let json = file.metadata[CheckpointKey.config] else {
            throw DRAWError.badMetadata(path: path, key: CheckpointKey.config, reason: "missing")
        }
        let other = try DRAWConfig.decode(json: Data(json.utf8), source: "\(path): __metadata__.config")
        guard other == config else {
            throw DRAWError.badMetadata(path: path, key: CheckpointKey.config,
                                        reason: "checkpoint is \(other.jsonString()), this model is \(config.jsonString())")
        }
        try restore(from: file)
    }

    /// Validates everything into temporaries first, then commits, so a bad file changes nothing.
    private func restore(from file: SafeTensorsFile) throws {
        let path = file.path
        let n = layout.count
        var p = [Float](repeating: 0, count: n), m = p, v = p
        let hasAdam = layout.tensors.contains { file.entries[CheckpointKey.adamM + $0.name] != nil }
        try p.withUnsafeMutableBufferPointer { pb in
            try m.withUnsafeMutableBufferPointer { mb in
                try v.withUnsafeMutableBufferPointer { vb in
                    for t in layout.tensors {
                        try file.readFloats(t.name, shape: t.shape, into: pb.baseAddress! + t.offset)
                        if hasAdam {
                            try file.readFloats(CheckpointKey.adamM + t.name, shape: t.shape, into: mb.baseAddress! + t.offset)
                            try file.readFloats(CheckpointKey.adamV + t.name, shape: t.shape, into: vb.baseAddress! + t.offset)
                        }
                    }
                }
            }
        }
        func value<T>(_ key: String, _ parse: (String) -> T?) throws -> T? {
            guard let s = file.metadata[key] else { return nil }
            guard let x = parse(s) else { throw DRAWError.badMetadata(path: path, key: key, reason: "cannot parse \"\(s)\" (or not finite)") }
            return x
        }
        // A weights-only file (model.safetensors, an export) keeps its step for information; it cannot resume a run
        // (no Adam moments), so `hasOptimizerState` says so.
        let step = try value(CheckpointKey.step) { Int64($0) } ?? 0
        guard step >= 0, step <= Int64(TrainingSchedule.maxSteps) else {
            throw DRAWError.badMetadata(path: path, key: CheckpointKey.step,
                                        reason: "must be in 0...\(TrainingSchedule.maxSteps), got \(step)")
        }
        if let format = file.metadata[CheckpointKey.format], format != CheckpointKey.formatValue {
            throw DRAWError.badMetadata(path: path, key: CheckpointKey.format,
                                        reason: "\"\(format)\" is not a format this build reads (\(CheckpointKey.formatValue))")
        }
        // Nothing non-finite is loaded: a NaN weight or moment would poison every later step.
        for t in layout.tensors {
            for (prefix, slab, present) in [("", p, true), (CheckpointKey.adamM, m, hasAdam), (CheckpointKey.adamV, v, hasAdam)]
            where present {
                let bad = slab.withUnsafeBufferPointer { countNonFinite($0.baseAddress! + t.offset, t.count) }
                if bad > 0 {
                    throw DRAWError.badTensor(path: path, name: prefix + t.name, reason: "\(bad) values are NaN or infinite")
                }
            }
        }
        /// Hyperparameters must be finite: a NaN learning rate or KL weight would poison every later step.
        func finite(_ s: String) -> Float? { Float(s).flatMap { $0.isFinite ? $0 : nil } }
        let kl = try value(CheckpointKey.klWeight, finite)
        var settings = adam
        if let x = try value(CheckpointKey.lr, finite) { settings.learningRate = x }
        if let x = try value(CheckpointKey.beta1, finite) { settings.beta1 = x }
        if let x = try value(CheckpointKey.beta2, finite) { settings.beta2 = x }
        if let x = try value(CheckpointKey.eps, finite) { settings.epsilon = x }
        if let x = try value(CheckpointKey.clip, finite) { settings.clip = x }
        if file.metadata[CheckpointKey.lr] != nil { settings.maxGradNorm = try value(CheckpointKey.maxNorm, finite) }
        do {
            try settings.validate()
            if let kl { try TrainingSchedule(klWeight: kl).validate() }
        } catch let DRAWError.invalidConfig(field, reason) {
            throw DRAWError.badMetadata(path: path, key: field, reason: reason)
        }
        let rng = try value(CheckpointKey.rng) { s -> [UInt64]? in
            let words = s.split(separator: ",").compactMap { UInt64($0, radix: 16) }
            return words.count == 4 && words != [0, 0, 0, 0] ? words : nil
        }

        p.withUnsafeBufferPointer { copy(params.base, $0.baseAddress!, n) }
        parametersChanged()
        m.withUnsafeBufferPointer { copy(adamM.base, $0.baseAddress!, n) }
        v.withUnsafeBufferPointer { copy(adamV.base, $0.baseAddress!, n) }
        zero(grads.base, grads.count)
        self.step = step
        hasOptimizerState = hasAdam || step == 0
        if let kl { klWeight = kl }
        adam = settings
        if let rng { rngState = rng }
    }
}

extension DRAWModel {
    /// The PyTorch name of the first parameter (or, with `includeAdam`, Adam moment) holding a NaN or infinity.
    public func firstNonFiniteTensor(includeAdam: Bool = true) -> String? {
        for t in layout.tensors {
            if countNonFinite(params.base + t.offset, t.count) > 0 { return t.name }
            guard includeAdam else { continue }
            if countNonFinite(adamM.base + t.offset, t.count) > 0 { return CheckpointKey.adamM + t.name }
            if countNonFinite(adamV.base + t.offset, t.count) > 0 { return CheckpointKey.adamV + t.name }
        }
        return nil
    }
}
