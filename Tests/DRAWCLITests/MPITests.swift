// MPITests.swift: `mpirun -np 2` with batch b trains exactly like one process with batch 2b, for every training loss.
import DRAW
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAWCLI

@Suite(.serialized) struct MPITests {
    /// l2, features (another recon term on the same step) and vaegan (its own passes, gates and discriminator Adam,
    /// summed over the ranks; the GAN term from step 2 so the 6 steps use it).
    @Test(arguments: [[], ["--loss", "features"], ["--loss", "vaegan", "--gan-warmup", "2"]])
    func twoRanksEqualOneProcessWithTheDoubleBatch(loss: [String]) throws {
        let draw = try drawExecutable().path
        let mpirun = try shell("command -v mpirun")
        try #require(mpirun.status == 0, "mpirun is missing: scripts/bootstrap.sh installs openmpi-bin")
        let single = try scratchFolder("mpi1"), pair = try scratchFolder("mpi2")
        let common = ["train", "--data", "faces", "--limit", "128", "--height", "16", "--width", "16", "--steps", "3",
                      "--read-n", "2", "--write-n", "3", "--enc-size", "16", "--dec-size", "12", "--z-size", "4",
                      "--threads", "1", "--seed", "9", "--iterations", "6", "--checkpoint-every", "0"] + loss
        let one = try Child(URL(fileURLWithPath: draw), common + ["--batch-size", "16", "--out", single.path]).wait()
        #expect(one.status == 0, "\(one.output)")
        let args = (common + ["--batch-size", "8", "--out", pair.path]).map { "'\($0)'" }.joined(separator: " ")
        let two = try shell("mpirun --allow-run-as-root --oversubscribe -np 2 '\(draw)' \(args)",
                            environment: ["OMPI_MCA_btl": "self,vader", "OMPI_MCA_plm_rsh_agent": ""])
        #expect(two.status == 0, "\(two.output)")
        #expect(two.output.contains("mpi=2 ranks"), "the run used both ranks: \(two.output)")

        // Loss trace: the same batches and noise, summed in another order: float rounding only.
        func trace(_ url: URL) throws -> [Double] {
            try String(contentsOf: url.appendingPathComponent("train-log.csv"), encoding: .utf8)
                .split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[4])! }
        }
        let a = try trace(single), b = try trace(pair)
        #expect(a.count == 6 && b.count == 6)
        for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-5 * abs(x), "loss \(x) vs \(y)") }

        // Parameters: Adam moves each by about lr per step whatever the gradient's size, so a near-zero gradient
        // whose sign rounding flips can move one value by up to 2·lr per step (SPEC.md); all others agree closely.
        var p = try parameters(single.appendingPathComponent("model.safetensors"))
        var q = try parameters(pair.appendingPathComponent("model.safetensors"))
        if loss.contains("vaegan") {   // and the discriminator, weights and Adam moments
            func discriminator(_ run: URL) throws -> [Float] {
                let d = try VAEGANTrainer.makeDiscriminator(channels: 3, height: 16, width: 16,
                                                            width: VAEGANSettings.defaultDiscriminatorWidth(height: 16, width: 16), seed: 0)
                try d.restore(from: run.appendingPathComponent("discriminator.safetensors").path)
                #expect(d.step > 0, "the discriminator trained in \(run.path)")
                return d.namedTensors().flatMap(\.values)
            }
            p += try discriminator(single); q += try discriminator(pair)
        }
        #expect(p.count == q.count)
        var far = 0, largest: Float = 0
        for i in p.indices {
            let d = abs(p[i] - q[i])
            largest = max(largest, d)
            if d > 1e-5 { far += 1 }
        }
        #expect(largest <= 6 * 2e-3, "largest parameter difference \(largest)")
        #expect(far * 1000 <= p.count, "\(far) of \(p.count) parameters differ by more than 1e-5")
    }

    /// A rank that fails ends the whole job with its message (MPI_Abort) instead of leaving the other rank
    /// waiting in the next allreduce forever.
    @Test func failingRankEndsTheJob() throws {
        let draw = try drawExecutable().path
        try #require(try shell("command -v mpirun").status == 0, "mpirun is missing: scripts/bootstrap.sh installs openmpi-bin")
        let out = try scratchFolder("mpifail")
        let args = (["train"] + tinyModel + ["--iterations", "50", "--out", out.path]).map { "'\($0)'" }.joined(separator: " ")
        let run = try shell("timeout 120 mpirun --allow-run-as-root --oversubscribe -np 2 '\(draw)' \(args)",
                            environment: ["OMPI_MCA_btl": "self,vader", "OMPI_MCA_plm_rsh_agent": "",
                                          "DRAW_INJECT_FAULT": "1:3"])
        #expect(run.status != 0 && run.status != 124, "the job ended, not by the timeout: \(run.status)")
        #expect(run.output.contains("error on rank 1 of 2") && run.output.contains("injected fault at step 3"), "\(run.output)")
    }
}
