// Schedule.swift: the learning rate and KL weight as functions of the Adam step (warm-ups, cosine and step decay).
import Foundation

/// How the learning rate moves after its warm-up.
public enum LearningRateDecay: String, Codable, Sendable, CaseIterable {
    /// The base rate throughout.
    case constant
    /// Half a cosine from the base rate down to `minFactor ×` base over `decaySteps`, then flat.
    case cosine
    /// The base rate times `gamma` after every `stepEvery` steps.
    case step
}

/// The per-step training schedule: a pure function of the 1-based Adam step, so a resumed run that knows the
/// step continues the schedule exactly. Step s is the step being taken (`model.step + 1`).
public struct TrainingSchedule: Codable, Equatable, Sendable {
    /// The learning rate after warm-up (before decay).
    public var learningRate: Float
    /// Steps of linear learning-rate warm-up from `learningRate / warmup` (0: none).
    public var learningRateWarmup: Int
    public var decay: LearningRateDecay
    /// Cosine: the steps (counted after the warm-up) over which the rate falls to `minFactor × learningRate`.
    public var decaySteps: Int
    /// Cosine: the final fraction of the base rate.
    public var minFactor: Float
    /// Step decay: multiply by `gamma` every `stepEvery` steps.
    public var stepEvery: Int
    public var gamma: Float
    /// The KL weight after its warm-up.
    public var klWeight: Float
    /// Steps of linear KL warm-up: the weight at step s is `klWeight · min(1, s / klWarmup)` (0: none).
    public var klWarmup: Int
    /// Free bits (Kingma et al. 2016), nats per drawing step: the KL term is Σ_t max(KL̄_t, λ), KL̄_t the batch
    /// mean of step t's KL, so a step under λ gets no KL gradient (nil: none; what a run.json without it means).
    public var freeBits: Float?

    public init(learningRate: Float = 1e-3, learningRateWarmup: Int = 0, decay: LearningRateDecay = .constant,
                decaySteps: Int = 0, minFactor: Float = 0.1, stepEvery: Int = 0, gamma: Float = 0.5,
                klWeight: Float = 1, klWarmup: Int = 0, freeBits: Float? = nil) {
        self.learningRate = learningRate
        self.learningRateWarmup = learningRateWarmup
        self.decay = decay
        self.decaySteps = decaySteps
        self.minFactor = minFactor
        self.stepEvery = stepEvery
        self.gamma = gamma
        self.klWeight = klWeight
        self.klWarmup = klWarmup
        self.freeBits = freeBits
    }

    enum CodingKeys: String, CodingKey {
        case learningRate = "lr", learningRateWarmup = "lr_warmup", decay = "lr_schedule", decaySteps = "lr_decay_steps"
        case minFactor = "lr_min_factor", stepEvery = "lr_step_every", gamma = "lr_gamma"
        case klWeight = "kl_weight", klWarmup = "kl_warmup", freeBits = "free_bits"
    }

    /// The learning rate of step `s` (1-based).
    public func learningRate(atStep s: Int64) -> Float {
        let s = max(s, 1)
        let warm = Int64(learningRateWarmup)
        if warm > 0, s <= warm { return Float(Double(learningRate) * Double(s) / Double(warm)) }
        let after = s - max(warm, 0)  // steps since the warm-up ended, 1-based
        switch decay {
        case .constant:
            return learningRate
        case .cosine:
            guard decaySteps > 0 else { return learningRate }
            let progress = min(Double(after - 1) / Double(decaySteps), 1)
            let factor = Double(minFactor) + (1 - Double(minFactor)) * 0.5 * (1 + cos(Double.pi * progress))
            return Float(Double(learningRate) * factor)
        case .step:
            guard stepEvery > 0 else { return learningRate }
            let drops = Double((after - 1) / Int64(stepEvery))
            return Float(Double(learningRate) * pow(Double(gamma), drops))
        }
    }

    /// The KL weight of step `s` (1-based).
    public func klWeight(atStep s: Int64) -> Float {
        guard klWarmup > 0, s < Int64(klWarmup) else { return klWeight }
        return Float(Double(klWeight) * Double(max(s, 0)) / Double(klWarmup))
    }

    /// Throws naming the first value out of range (the same rules for flags and for a saved run).
    public func validate() throws {
        func require(_ ok: Bool, _ field: String, _ reason: String) throws {
            if !ok { throw DRAWError.invalidConfig(field: field, reason: reason) }
        }
        try require(learningRate > 0 && learningRate.isFinite, "lr", "must be a positive number, got \(learningRate)")
        try require(klWeight >= 0 && klWeight.isFinite, "kl_weight", "must be >= 0, got \(klWeight)")
        if let freeBits { try require(freeBits >= 0 && freeBits.isFinite, "free_bits", "must be >= 0 nats, got \(freeBits)") }
        for (name, v) in [("lr_warmup", learningRateWarmup), ("lr_decay_steps", decaySteps),
                          ("lr_step_every", stepEvery), ("kl_warmup", klWarmup)] {
            try require(v >= 0 && v <= Self.maxSteps, name, "must be in 0...\(Self.maxSteps), got \(v)")
        }
        try require(minFactor >= 0 && minFactor <= 1, "lr_min_factor", "must be in [0, 1], got \(minFactor)")
        try require(gamma > 0 && gamma <= 1, "lr_gamma", "must be in (0, 1], got \(gamma)")
    }

    /// The largest step count a schedule or a run accepts (keeps every product of steps in range).
    public static let maxSteps = 1_000_000_000

    /// One line for logs and `draw info`.
    public var summary: String {
        var parts = ["lr \(learningRate)"]
        if learningRateWarmup > 0 { parts.append("warm-up \(learningRateWarmup) steps") }
        switch decay {
        case .constant: break
        case .cosine: parts.append("cosine to \(minFactor)x over \(decaySteps) steps")
        case .step: parts.append("x\(gamma) every \(stepEvery) steps")
        }
        var kl = "KL weight \(klWeight)"
        if klWarmup > 0 { kl += " (linear warm-up over \(klWarmup) steps)" }
        if let freeBits, freeBits > 0 { kl += ", free bits \(freeBits) nats per step" }
        return parts.joined(separator: ", ") + "; " + kl
    }
}

extension AdamSettings {
    /// Throws naming the first hyperparameter out of range (CLI flags and checkpoint metadata alike).
    public func validate() throws {
        func require(_ ok: Bool, _ field: String, _ reason: String) throws {
            if !ok { throw DRAWError.invalidConfig(field: field, reason: reason) }
        }
        try require(learningRate > 0 && learningRate.isFinite, "adam_lr", "must be a positive number, got \(learningRate)")
        try require(beta1 >= 0 && beta1 < 1, "adam_beta1", "must be in [0, 1), got \(beta1)")
        try require(beta2 >= 0 && beta2 < 1, "adam_beta2", "must be in [0, 1), got \(beta2)")
        try require(epsilon > 0 && epsilon.isFinite, "adam_eps", "must be a positive number, got \(epsilon)")
        try require(clip >= 0 && clip.isFinite, "adam_clip", "must be >= 0 (0 turns clipping off), got \(clip)")
        if let m = maxGradNorm { try require(m > 0 && m.isFinite, "adam_max_grad_norm", "must be positive, got \(m)") }
    }
}
