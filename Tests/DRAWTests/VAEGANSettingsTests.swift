// VAEGANSettingsTests.swift: the vaegan and features options' range checks, which flags and run.json share.
import Testing
@testable import DRAW

/// VAEGANSettings' range checks: the defaults pass; each field out of range (NaN, negative, an absurd width) is
/// refused naming its run.json field.
@Suite struct VAEGANSettingsTests {
    @Test func outOfRangeSettingsAreRefusedByName() throws {
        try VAEGANSettings().validate()
        var widest = VAEGANSettings()
        widest.discriminatorWidth = VAEGANSettings.maxDiscriminatorWidth
        try widest.validate()
        let bad: [(String, (inout VAEGANSettings) -> Void)] = [
            ("gan_weight", { $0.ganWeight = .nan }), ("gamma", { $0.gamma = -1 }), ("margin", { $0.margin = .infinity }),
            ("feature_weight", { $0.featureWeight = -0.5 }), ("pixel_weight", { $0.pixelWeight = .nan }),
            ("edge_weight", { $0.edgeWeight = -1 }), ("equilibrium", { $0.equilibrium = .nan }),
            ("discriminator_learning_rate", { $0.discriminatorLearningRate = 0 }), ("gan_warmup", { $0.ganWarmup = -1 }),
            ("feature_layer", { $0.featureLayer = -2 }), ("discriminator_width", { $0.discriminatorWidth = 0 }),
            ("discriminator_width", { $0.discriminatorWidth = VAEGANSettings.maxDiscriminatorWidth + 1 }),
        ]
        for (field, spoil) in bad {
            var s = VAEGANSettings()
            spoil(&s)
            #expect { try s.validate() } throws: { "\($0)".contains(field) }
        }
    }
}
