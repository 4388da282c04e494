// PackedWeightsTests.swift: every way of changing the parameters reaches the packed copies the time loop multiplies.
import DRAW
import DRAWTestSupport
import Foundation
import Testing

@Suite struct PackedWeightsTests {
    static let config = DRAWConfig(channels: 2, height: 6, width: 7, steps: 3, readN: 2, writeN: 3, encSize: 8,
                                   decSize: 9, zSize: 3, attention: true, loss: .l2)

    /// What a model computes from its parameters: eval losses, a gradient, a generation.
    static func outputs(_ m: DRAWModel, _ batch: [Float], z: [Float]) throws -> [Double] {
        let loss = try m.loss(batch: batch, mode: .mean)
        try m.computeGradients(batch: batch, mode: .mean)
        let gradient = (m.gradient(named: "decoder.weight_hh") ?? []) + (m.gradient(named: "encoder.weight_ih") ?? [])
        return loss.total + gradient.map(Double.init) + (try m.generate(count: 2, z: z)).map(Double.init)
    }

    /// A model that has already packed its weights (it ran forward, backward and generation), then has its
    /// parameters changed by setParameter, withParameterSlab, a checkpoint load or an Adam step, gives exactly
    /// what a fresh model with the same parameters gives.
    @Test func parameterChangesReachThePackedWeights() throws { try DeterminismTests.onAutomaticPath { try body() } }

    private func body() throws {
        let c = Self.config
        var rng = SeededRNG(seed: 3)
        let batch = randomFloats(4 * c.pixels, in: 0...1, rng: &rng)
        let z = randomFloats(c.steps * 2 * c.zSize, rng: &rng)
        let model = try DRAWModel(config: c, seed: 1)
        func freshTwin() throws -> DRAWModel {
            let twin = try DRAWModel(config: c, seed: 99)
            for t in model.layout.tensors { try twin.setParameter(named: t.name, to: model.parameter(named: t.name)!) }
            return twin
        }
        let before = try Self.outputs(model, batch, z: z)

        let w = model.parameter(named: "decoder.weight_hh")!
        try model.setParameter(named: "decoder.weight_hh", to: w.map { $0 * 1.5 })
        // Plain Bools, so a failure names the step instead of printing both arrays.
        let afterSet = try Self.outputs(model, batch, z: z)
        let changed = afterSet != before, setAgrees = try afterSet == Self.outputs(try freshTwin(), batch, z: z)
        #expect(changed, "setParameter changed nothing")
        #expect(setAgrees, "setParameter")

        model.withParameterSlab { slab in for i in slab.indices { slab[i] *= 0.75 } }
        let slabAgrees = try Self.outputs(model, batch, z: z) == Self.outputs(try freshTwin(), batch, z: z)
        #expect(slabAgrees, "withParameterSlab")

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("packed-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let other = try DRAWModel(config: c, seed: 7)
        try other.save(to: path)
        try model.load(from: path)
        let loadAgrees = try Self.outputs(model, batch, z: z) == Self.outputs(other, batch, z: z)
        #expect(loadAgrees, "load(from:)")

        try model.trainStep(batch: batch, mode: .mean)
        let adamAgrees = try Self.outputs(model, batch, z: z) == Self.outputs(try freshTwin(), batch, z: z)
        #expect(adamAgrees, "Adam step")
    }
}
