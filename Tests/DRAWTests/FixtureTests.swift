// FixtureTests.swift: the model against every reference fixture in Tests/Fixtures (SPEC.md tolerances), worst errors printed.
import DRAW
import DRAWTestSupport
import Foundation
import Testing

@Suite struct FixtureTests {
    /// The fixtures are found by listing Tests/Fixtures; an empty listing would make every test below vacuous.
    @Test func fixturesAreFound() {
        #expect(Fixture.names().count >= 1, "no fixture folders with expected.json in \(fixturesDirectory.path)")
    }

    /// eps_zero (z = μ): per-image total/recon/KL and the mean within 1e-5 relative, sigmoid canvas sums per step
    /// within 1e-5 relative, read and write windows (gx, gy, σ², δ, γ) per step within 1e-4 relative.
    @Test(arguments: Fixture.names())
    func evaluationLossesCanvasesAndWindows(_ name: String) throws {
        let f = try Fixture(name)
        let model = try f.model()
        let rec = try model.reconstruct(batch: f.batch, mode: .mean)
        let e = f.expected["eps_zero"] as! [String: Any]
        var losses = ErrorLedger(), canvases = ErrorLedger(), windows = ErrorLedger()
        for (key, got) in [("total", rec.losses.total), ("recon", rec.losses.recon), ("kl", rec.losses.kl)] {
            let want = f.doubles(e[key])
            #expect(want.count == f.batchSize, "\(name): eps_zero.\(key) length")
            for b in 0..<f.batchSize { losses.note(relativeError(got[b], want[b]), "\(key)[\(b)]") }
        }
        losses.note(relativeError(rec.losses.mean, f.double(e["loss_mean"])), "loss_mean")
        #expect(losses.worst <= 1e-5, "\(name): eps_zero losses: worst \(losses.worst) at \(losses.worstWhere)")

        let sums = f.doubles(e["sigmoid_canvas_sum"])
        #expect(sums.count == rec.canvasSums.count)
        for i in sums.indices { canvases.note(relativeError(rec.canvasSums[i], sums[i]), "canvas sum [t][b] #\(i)") }
        #expect(canvases.worst <= 1e-5, "\(name): canvas sums: worst \(canvases.worst) at \(canvases.worstWhere)")

        if f.config.attention {
            for (key, got) in [("read_attention", rec.readAttention), ("write_attention", rec.writeAttention)] {
                let want = f.doubles(e[key])
                #expect(want.count == got.count, "\(name): \(key) length")
                for i in want.indices where i < got.count {
                    windows.note(relativeError(Double(got[i]), want[i]), "\(key) t=\(i / (5 * f.batchSize) + 1) #\(i % 5)")
                }
            }
            #expect(windows.worst <= 1e-4, "\(name): attention: worst \(windows.worst) at \(windows.worstWhere)")
        }
        print("[fixture \(name)] eps_zero losses worst rel \(losses.worst) (\(losses.worstWhere)); canvas sums \(canvases.worst); windows \(windows.worst) (\(windows.worstWhere))")
    }

    /// d(loss_mean)/d(each parameter) at z = μ: `l2` and `abs_sum` within 1e-4 relative, `sum` within
    /// 1e-4·abs_sum, the first 4 values within 1e-4·max(|value|, rms of the tensor).
    @Test(arguments: Fixture.names())
    func gradients(_ name: String) throws {
        let f = try Fixture(name)
        let model = try f.model()
        try model.computeGradients(batch: f.batch, mode: .mean)
        let grads = (f.expected["eps_zero"] as! [String: Any])["grad_of_loss_mean"] as! [String: Any]
        #expect(Set(grads.keys) == Set(model.layout.tensors.map(\.name)), "\(name): parameter names")
        var norms = ErrorLedger(), sums = ErrorLedger(), firsts = ErrorLedger()
        for t in model.layout.tensors {
            guard let want = grads[t.name] as? [String: Any] else { continue }
            #expect(f.doubles(want["shape"]).map { Int($0) } == t.shape, "\(name): \(t.name) shape")
            let g = model.gradient(named: t.name)!.map(Double.init)
            let absSum = g.reduce(0) { $0 + abs($1) }, l2 = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let wantAbs = f.double(want["abs_sum"]), wantL2 = f.double(want["l2"]), wantSum = f.double(want["sum"])
            norms.note(relativeError(absSum, wantAbs), "\(t.name) abs_sum")
            norms.note(relativeError(l2, wantL2), "\(t.name) l2")
            sums.note(abs(g.reduce(0, +) - wantSum) / max(wantAbs, 1e-30), "\(t.name) sum")
            let rms = wantL2 / Double(t.count).squareRoot()
            for (i, w) in f.doubles(want["first"]).enumerated() {
                firsts.note(abs(g[i] - w) / max(abs(w), rms, 1e-30), "\(t.name) first[\(i)]")
            }
        }
        #expect(norms.worst <= 1e-4, "\(name): gradient norms: worst \(norms.worst) at \(norms.worstWhere)")
        #expect(sums.worst <= 1e-4, "\(name): gradient sums: worst \(sums.worst)·abs_sum at \(sums.worstWhere)")
        #expect(firsts.worst <= 1e-4, "\(name): gradient first values: worst \(firsts.worst) at \(firsts.worstWhere)")
        print("[fixture \(name)] gradients: abs_sum/l2 worst rel \(norms.worst) (\(norms.worstWhere)); sum worst \(sums.worst)·abs_sum (\(sums.worstWhere)); first values \(firsts.worst) (\(firsts.worstWhere))")
    }

    /// eps_fixed (z = μ + σ·eps.npy): per-image losses within 1e-5 relative.
    @Test(arguments: Fixture.names())
    func fixedNoiseLosses(_ name: String) throws {
        let f = try Fixture(name)
        let report = try f.model().loss(batch: f.batch, mode: .fixed(f.eps))
        let e = f.expected["eps_fixed"] as! [String: Any]
        var ledger = ErrorLedger()
        for (key, got) in [("total", report.total), ("recon", report.recon), ("kl", report.kl)] {
            for (b, w) in f.doubles(e[key]).enumerated() { ledger.note(relativeError(got[b], w), "\(key)[\(b)]") }
        }
        ledger.note(relativeError(report.mean, f.double(e["loss_mean"])), "loss_mean")
        #expect(ledger.worst <= 1e-5, "\(name): eps_fixed: worst \(ledger.worst) at \(ledger.worstWhere)")
        print("[fixture \(name)] eps_fixed losses worst rel \(ledger.worst) (\(ledger.worstWhere))")
    }

    /// generate (z = gen_z.npy): each image's pixel sum within 1e-5 relative, the listed pixels within 1e-5 relative.
    @Test(arguments: Fixture.names())
    func generation(_ name: String) throws {
        let f = try Fixture(name)
        let drawing = try f.model().sample(count: f.generateCount, z: f.genZ)
        let e = f.expected["generate"] as! [String: Any]
        let P = f.config.pixels
        let images = Array(drawing.images)
        var ledger = ErrorLedger()
        let sums = f.doubles(e["image_sum"])
        #expect(sums.count == f.generateCount)
        for (i, w) in sums.enumerated() {
            let s = images[(i * P)..<((i + 1) * P)].reduce(0.0) { $0 + Double($1) }
            ledger.note(relativeError(s, w), "image_sum[\(i)]")
        }
        let indices = f.doubles(e["flat_indices"]).map { Int($0) }
        let pixels = e["pixels_at_flat_indices"] as! [[Any]]
        for (i, row) in pixels.enumerated() {
            for (j, w) in f.doubles(row).enumerated() {
                ledger.note(relativeError(Double(images[i * P + indices[j]]), w), "pixel[\(i)][\(indices[j])]")
            }
        }
        #expect(ledger.worst <= 1e-5, "\(name): generate: worst \(ledger.worst) at \(ledger.worstWhere)")
        print("[fixture \(name)] generate worst rel \(ledger.worst) (\(ledger.worstWhere))")
    }

    /// train_eps_zero: 3 Adam steps (SPEC.md defaults, z = μ). The loss before each step and after the three
    /// within 1e-4 relative. Parameter sums: Adam's first step moves every value by ≈ lr·sign(g) whatever |g|,
    /// so a gradient whose float32 sign differs from float64's moves a value 2·lr the other way. The bound
    /// allows 1e-5·Σ|p| (float32 sums) plus 12·lr: two such flips in each of the 3 steps, per tensor.
    @Test(arguments: Fixture.names())
    func threeAdamSteps(_ name: String) throws {
        let f = try Fixture(name)
        let model = try f.model()
        let e = f.expected["train_eps_zero"] as! [String: Any]
        let before = f.doubles(e["loss_before_step"])
        var losses = ErrorLedger(), params = ErrorLedger()
        for (i, w) in before.enumerated() {
            let r = try model.trainStep(batch: f.batch, mode: .mean)
            losses.note(relativeError(r.mean, w), "loss before step \(i + 1)")
        }
        let after = try model.loss(batch: f.batch, mode: .mean)
        losses.note(relativeError(after.mean, f.double(e["loss_after_3_steps"])), "loss after 3 steps")
        #expect(losses.worst <= 1e-4, "\(name): training losses: worst \(losses.worst) at \(losses.worstWhere)")
        let lr = Double(model.adam.learningRate)
        var worstInLR = 0.0, worstName = ""
        for (key, w) in e["param_sum_after_3_steps"] as! [String: Any] {
            let p = model.parameter(named: key)!.map(Double.init)
            let diff = abs(p.reduce(0, +) - f.double(w))
            let bound = 1e-5 * p.reduce(0) { $0 + abs($1) } + 12 * lr
            #expect(diff <= bound, "\(name): \(key) sum after 3 steps off by \(diff) (\(diff / lr) lr), bound \(bound)")
            params.note(relativeError(p.reduce(0, +), f.double(w)), key)
            if diff / lr > worstInLR { worstInLR = diff / lr; worstName = key }
        }
        print("[fixture \(name)] 3 Adam steps: losses worst rel \(losses.worst) (\(losses.worstWhere)); param sums worst \(worstInLR) lr (\(worstName)), worst rel \(params.worst)")
    }
}
