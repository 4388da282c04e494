// DrawingStripTests.swift: drawing.png and draw attention show every step of a short drawing, 64 evenly spaced of a long one.
import DRAW
import DRAWData
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAWCLI

struct DrawingStripTests {
    @Test(arguments: [1, 3, 10, 64])
    func shortDrawingsShowEveryStep(_ T: Int) {
        #expect(Pictures.shownSteps(T) == Array(1...T))
    }

    /// A hostile or huge T (10 000 is the config's limit) gives a strip of 64 canvases, increasing, ending at T.
    @Test(arguments: [65, 100, 1000, 10_000])
    func longDrawingsShowSixtyFourEvenlySpacedSteps(_ T: Int) {
        let s = Pictures.shownSteps(T)
        #expect(s.count == Pictures.maxDrawingColumns)
        #expect(s.last == T && s.first! >= 1)
        #expect(zip(s, s.dropFirst()).allSatisfy { $0 < $1 }, "\(s)")
        let gaps = zip(s, s.dropFirst()).map { $1 - $0 }
        #expect(gaps.max()! - gaps.min()! <= 1, "evenly spaced: \(gaps)")
    }

    /// `draw attention` of a T = 100 checkpoint writes the 64 shown steps' frames (the last is step 100) and a GIF of
    /// those and the originals, not a file per step.
    @Test func attentionOfALongDrawingWritesTheShownSteps() throws {
        let out = try scratchFolder("attention-long")
        let config = DRAWConfig(channels: 3, height: 16, width: 16, steps: 100, readN: 2, writeN: 2, encSize: 8, decSize: 8,
                                zSize: 2, attention: true, loss: .l2)
        try DRAWModel(config: config, seed: 1).save(to: out.appendingPathComponent("model.safetensors").path)
        try runDraw(["attention", "--checkpoint", out.path, "--count", "2", "--data", "faces", "--limit", "8",
                     "--height", "16", "--width", "16"])
        let frames = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("attention").path)
        #expect(Set(frames) == Set(Pictures.shownSteps(100).map { String(format: "step-%02d.png", $0) }))
        #expect(frames.contains("step-100.png"))
        #expect(try decodeFrames(out.appendingPathComponent("attention.gif").path) == 64 + 1)
    }

    /// A window larger than the image is drawn as a frame on the image's border (it used to vanish, leaving the
    /// first steps' frames without boxes); one wholly off the image draws nothing, and no value traps.
    @Test func aWindowLargerThanTheImageIsItsBorder() {
        func drawn(_ window: [Float]) -> [Bool] {
            var r = Raster(height: 8, width: 8, fill: [0, 0, 0])
            Pictures.drawWindow(&r, window[...], n: 5, scale: 1, colour: .red)
            return (0..<64).map { r[channel: 0, x: $0 % 8, y: $0 / 8] > 0 }
        }
        let frame = (0..<64).map { i in i % 8 == 0 || i % 8 == 7 || i / 8 == 0 || i / 8 == 7 }
        #expect(drawn([3.5, 3.5, 0.5, 10, 1]) == frame)
        #expect(drawn([100, 3.5, 0.5, 1, 1]) == Array(repeating: false, count: 64))
        #expect(drawn([3.5, 3.5, 3e38, 1e30, 1]) == frame)
        #expect(drawn([.nan, 3.5, .nan, 1, 1]) == Array(repeating: false, count: 64))
    }
}
