// InspectionCommandTests.swift: sample --count/--temperature/--npy/--individual, reconstruct's outputs, interpolate and complete.
import DRAW
import DRAWData
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAWCLI

@Suite(.serialized) struct InspectionCommandTests {
    static let data = ["--data", "faces", "--limit", "96", "--height", "16", "--width", "16", "--seed", "5"]

    /// A tiny trained run folder (16×16 faces, T = 3).
    static func trained(_ name: String) throws -> URL {
        let out = try scratchFolder(name)
        try runDraw(["train"] + tinyModel + ["--iterations", "6", "--out", out.path])
        return out
    }

    static func png(_ url: URL) throws -> DecodedImage { try PNGCodec.read(url.path) }

    @Test func sampleWritesCountImagesAsNPYAndPNGs() throws {
        let out = try Self.trained("sample")
        try runDraw(["sample", "--checkpoint", out.path, "--rows", "2", "--cols", "3", "--count", "7", "--npy", "--individual",
                     "--seed", "3"])
        let array = try readNPY(out.appendingPathComponent("samples.npy").path)
        #expect(array.shape == [7, 3, 16, 16])
        let P = 3 * 16 * 16
        let pngs = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("samples").path).sorted()
        #expect(pngs == (0..<7).map { String(format: "samples-%05d.png", $0) })
        // PNG i holds image i of the array, rounded to 8 bits.
        let sixth = try PNGCodec.read(out.appendingPathComponent("samples/samples-00006.png").path)
        #expect(zip(sixth.raster(channels: 3).pixels, array.values[(6 * P)...]).allSatisfy { abs($0 - $1) <= 0.5 / 255 + 1e-6 })
        let images = (0..<7).map { Array(array.values[($0 * P)..<(($0 + 1) * P)]) }
        #expect(Set(images.map { $0.map(\.bitPattern) }).count == 7, "seven different samples at temperature 1")
        // Temperature 0: every z is 0, so every image is the same.
        try runDraw(["sample", "--checkpoint", out.path, "--count", "4", "--npy", "--temperature", "0", "--out",
                     out.appendingPathComponent("cold").path])
        let cold = try readNPY(out.appendingPathComponent("cold/samples.npy").path)
        #expect(cold.shape == [4, 3, 16, 16])
        #expect((1..<4).allSatisfy { k in Array(cold.values[(k * P)..<((k + 1) * P)]) == Array(cold.values[0..<P]) })
        #expect(validationMessage(["sample", "--temperature", "-1"]) != nil)
    }

    @Test func reconstructWritesTheReconstructionsAsNPY() throws {
        let out = try Self.trained("reconstruct")
        try runDraw(["reconstruct", "--checkpoint", out.path, "--count", "5", "--npy", "--individual"] + Self.data)
        let array = try readNPY(out.appendingPathComponent("reconstructions.npy").path)
        #expect(array.shape == [5, 3, 16, 16])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("reconstructions").path).count == 5)
        #expect(array.values.allSatisfy { $0 > 0 && $0 < 1 }, "sigmoid outputs")
    }

    @Test func interpolateWritesAStripAndAGIF() throws {
        let out = try Self.trained("interpolate")
        try runDraw(["interpolate", "--checkpoint", out.path, "--pair", "0,1", "--pair", "2,3", "--points", "5"] + Self.data)
        let strip = try Self.png(out.appendingPathComponent("interpolation.png"))
        let s = 128 / 16 > 4 ? 4 : 128 / 16
        #expect(strip.width == 7 * 16 * s + 8 && strip.height == 2 * 16 * s + 3, "2 rows: image, 5 points, image")
        let frames = try decodeFrames(out.appendingPathComponent("interpolation.gif").path)
        #expect(frames == 5 + 3, "there and back: 5 points, then 3 on the way back")
        try runDraw(["interpolate", "--checkpoint", out.path, "--rows", "3", "--points", "4", "--out",
                     out.appendingPathComponent("prior").path])
        let prior = try Self.png(out.appendingPathComponent("prior/interpolation.png"))
        #expect(prior.width == 4 * 16 * s + 5 && prior.height == 3 * 16 * s + 4)
        #expect(validationMessage(["interpolate", "--pair", "1"]) != nil)
        #expect(throws: CLIError.self) { try runDraw(["interpolate", "--checkpoint", out.path, "--pair", "0,999"] + Self.data) }
    }

    /// The observed half stays as it was: in the result column it matches the original column byte for byte.
    @Test func completeKeepsTheObservedPixels() throws {
        let out = try Self.trained("complete")
        try runDraw(["complete", "--checkpoint", out.path, "--count", "2", "--mask", "right", "--iterations", "3",
                     "--columns", "3"] + Self.data)
        let picture = try Self.png(out.appendingPathComponent("completion.png")).raster(channels: 3)
        let s = 4, cell = 16 * s
        #expect(picture.width == 5 * cell + 6 && picture.height == 2 * cell + 3)
        for row in 0..<2 {
            let y0 = 1 + row * (cell + 1)
            for y in stride(from: y0, to: y0 + cell, by: 3) {
                for x in 0..<(cell / 2) {   // left half: observed
                    for c in 0..<3 {
                        #expect(picture[channel: c, x: 1 + x, y: y] == picture[channel: c, x: 1 + 4 * (cell + 1) + x, y: y])
                    }
                }
            }
        }
        // A mask PNG: white = missing.
        var mask = Raster(height: 16, width: 16, fill: [0])
        for y in 0..<6 { for x in 0..<6 { mask[channel: 0, x: x, y: y] = 1 } }
        let maskPath = out.appendingPathComponent("mask.png").path
        try mask.writePNG(to: maskPath)
        let config = DRAWConfig(channels: 3, height: 16, width: 16, steps: 3, readN: 2, writeN: 3, encSize: 16, decSize: 12,
                                zSize: 4, attention: true, loss: .l2)
        let plane = try missingPlane(maskPath, config, data: try DataOptions.parse([]))
        #expect(plane.reduce(0, +) == 36 && plane[0] == 1 && plane[6] == 0)
        #expect(throws: CLIError.self) { try runDraw(["complete", "--checkpoint", out.path, "--mask", "box:1,2"] + Self.data) }
        #expect(CompleteCommand.shownIterations(20, columns: 6) == [3, 7, 10, 13, 17, 20])
    }
}

/// The number of frames giflib finds in `path`.
func decodeFrames(_ path: String) throws -> Int {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(data.prefix(6) == Data("GIF89a".utf8))
    // Count image descriptors after graphics control blocks: 0x21 0xF9 0x04 … 0x00 0x2C.
    var n = 0
    var i = 0
    let b = [UInt8](data)
    while i + 8 < b.count {
        if b[i] == 0x21 && b[i + 1] == 0xF9 && b[i + 2] == 0x04 && b[i + 7] == 0x00 && b[i + 8] == 0x2C { n += 1; i += 9 } else { i += 1 }
    }
    return n
}
