// DemoCommand.swift: `draw demo`, the main job: train on built-in colour faces, then write every picture into one folder.
import ArgumentParser
import DRAW
import DRAWData
import Foundation

struct DemoCommand: ParsableCommand {
    /// The measured model's write window on the demo's faces, for the help text.
    private static let faceWriteN = DRAWConfig.measuredWriteN(height: ProceduralFaces.defaultSide,
                                                              width: ProceduralFaces.defaultSide)
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The main job: train a colour DRAW model on built-in faces, then write samples, reconstructions and the attention GIF.",
        discussion: """
            Needs no data files. Writes into --out (default draw-out/): model.safetensors, checkpoints/, \
            train-log.csv, loss.svg, samples.png, drawing.png, reconstructions.png, attention/step-NN.png, \
            attention.gif and eval.txt (held-out loss, sharpness and pixel MSE). All training options of `draw train` apply (see draw train --help);
            the defaults here are the measured colour model (the colour post's T = 10, 5x5 read, LSTMs of 256, Z = 10 and l2 \
            loss, with a write window of half the image's side, \(faceWriteN)x\(faceWriteN) here, for sharper faces than its 5x5; trained \
            with the measured recipe's KL weight 0.01 for l2, which draws sharper faces than SPEC.md's 1) \
            on 3x\(ProceduralFaces.defaultSide)x\(ProceduralFaces.defaultSide) faces (--height/--width 64 for the post's size, \
            about 4x slower to learn), 3000 steps of 64.
            """)

    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Training") var train: TrainOptions
    @OptionGroup(title: "Runtime") var runtime: RuntimeOptions

    mutating func run() throws {
        let started = Date()
        var data = self.data
        if data.data.lowercased().hasPrefix("faces"), data.height == nil, data.width == nil {
            (data.height, data.width) = (ProceduralFaces.defaultSide, ProceduralFaces.defaultSide)
        }
        guard let (m, heldOut) = try runTraining(command: "demo", data: data, model: model, train: train, runtime: runtime,
                                                 defaultIterations: 3000) else { return }
        let folder = URL(fileURLWithPath: train.out)
        m.reseed(runtime.seed)
        var written = try Pictures.writeSamples(m, rows: 8, cols: 8, to: folder)
        written.append(try Pictures.writeReconstructions(m, heldOut, count: 32, to: folder))
        written += try Pictures.writeAttention(m, heldOut, count: 8, to: folder).suffix(1)
        let report = try evaluate(m, heldOut, deterministic: false, batchSize: 100)
        let line = "held-out " + EvalCommand.summaryLine(loss: m.config.loss, deterministic: false, images: heldOut.count,
                                                         report.mean, recon: report.meanRecon, kl: report.meanKL) + "\n"
            + "held-out " + (try SharpnessReport(m, heldOut, batchSize: 100)).line + "\n"   // blur, measured (README "Sharp colour")
        let evalPath = folder.appendingPathComponent("eval.txt")
        try writeAtomically(path: evalPath.path, data: Data(line.utf8))
        print(line, terminator: "")
        for path in written + [folder.appendingPathComponent("loss.svg").path, evalPath.path] { print(path) }
        printErr(String(format: "demo finished in %.0f s", Date().timeIntervalSince(started)))
    }
}
