// ScheduleTests.swift: the learning-rate and KL-weight schedules as stated, and the range checks shared by flags and files.
import DRAW
import Foundation
import Testing

@Suite struct ScheduleTests {
    @Test func klWarmUpIsLinearFromZeroToTheWeight() {
        let s = TrainingSchedule(klWeight: 2, klWarmup: 4)
        #expect((1...6).map { s.klWeight(atStep: Int64($0)) } == [0.5, 1, 1.5, 2, 2, 2])
        #expect(TrainingSchedule(klWeight: 0.7).klWeight(atStep: 1) == 0.7, "no warm-up: the weight from the first step")
    }

    @Test func learningRateWarmUpThenCosineThenFlat() {
        let s = TrainingSchedule(learningRate: 1, learningRateWarmup: 2, decay: .cosine, decaySteps: 4, minFactor: 0.2)
        let lr = (1...8).map { Double(s.learningRate(atStep: Int64($0))) }
        let expected = [0.5, 1.0] + (0..<4).map { 0.2 + 0.8 * 0.5 * (1 + cos(Double.pi * Double($0) / 4)) } + [0.2, 0.2]
        for (a, b) in zip(lr, expected) { #expect(abs(a - b) <= 1e-7, "\(lr) vs \(expected)") }
    }

    @Test func stepDecayMultipliesEveryStepEvery() {
        let s = TrainingSchedule(learningRate: 0.8, decay: .step, stepEvery: 3, gamma: 0.5)
        #expect((1...7).map { s.learningRate(atStep: Int64($0)) } == [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2])
    }

    @Test(arguments: [
        (TrainingSchedule(learningRate: 0), "lr"), (TrainingSchedule(learningRate: .nan), "lr"),
        (TrainingSchedule(klWeight: -1), "kl_weight"), (TrainingSchedule(klWarmup: -3), "kl_warmup"),
        (TrainingSchedule(minFactor: 2), "lr_min_factor"), (TrainingSchedule(gamma: 0), "lr_gamma"),
        (TrainingSchedule(freeBits: -0.5), "free_bits"), (TrainingSchedule(freeBits: .infinity), "free_bits"),
    ])
    func outOfRangeSchedulesAreRefused(_ schedule: TrainingSchedule, _ field: String) {
        #expect { try schedule.validate() } throws: { "\($0)".contains(field) }
    }

    @Test(arguments: [
        (AdamSettings(learningRate: -1), "adam_lr"), (AdamSettings(beta1: 1), "adam_beta1"),
        (AdamSettings(beta2: -0.1), "adam_beta2"), (AdamSettings(epsilon: 0), "adam_eps"),
        (AdamSettings(clip: .infinity), "adam_clip"), (AdamSettings(maxGradNorm: 0), "adam_max_grad_norm"),
    ])
    func outOfRangeAdamSettingsAreRefused(_ adam: AdamSettings, _ field: String) {
        #expect { try adam.validate() } throws: { "\($0)".contains(field) }
    }
}
