// TensorBoardTests.swift: event files read back by our own reader (framing, CRCs, protobufs) and by TensorBoard's.
import DRAWData
import Foundation
import Testing
@testable import DRAWTensorBoard

/// A fresh temporary folder, removed when the value is released.
final class Scratch {
    let path = FileManager.default.temporaryDirectory.path + "/drawtb-\(UUID().uuidString)"
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The demo's loss curve: a decay from 520 towards 80, so a screenshot of the demo looks like training.
func demoLoss(_ step: Int) -> Double { 80 + 440 * exp(-Double(step) / 120) }
let demoSteps = Array(stride(from: 0, through: 600, by: 50))

/// Writes three scalar series over 13 steps and an RGB and a grey image at two steps; returns the file written.
func writeDemoRun(_ dir: String) throws -> String {
    let tb = try TensorBoardWriter(directory: dir)
    for step in demoSteps {
        try tb.scalar("train/loss", demoLoss(step), step: step)
        try tb.scalar("train/kl", 20 + Double(step) / 100, step: step)
        try tb.scalar("train/lr", 1e-3, step: step)
    }
    for step in [300, 600] {
        try tb.image("samples", pixels: gradient(width: 12, height: 8, channels: 3, shift: step), width: 12, height: 8,
                     channels: 3, step: step)
        try tb.image("grey", pixels: gradient(width: 5, height: 7, channels: 1, shift: step), width: 5, height: 7,
                     channels: 1, step: step)
    }
    try tb.close()
    return tb.path
}

func gradient(width: Int, height: Int, channels: Int, shift: Int) -> [UInt8] {
    (0..<(width * height * channels)).map { UInt8(truncatingIfNeeded: $0 * 7 + shift) }
}

@Suite struct TensorBoardTests {
    @Test func crc32cMatchesTheCastagnoliCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // TensorFlow's mask: rotate right 15, add 0xa282ead8.
        let c = CRC32C.checksum(Array("abc".utf8))
        #expect(CRC32C.masked(Array("abc".utf8)) == ((c >> 15) | (c << 17)) &+ 0xA282_EAD8)
        // The value of tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c(b"abc").
        #expect(CRC32C.masked(Array("abc".utf8)) == 0x21F1_576E)
    }

    @Test func recordsRoundTripAndCorruptionIsCaught() throws {
        let payloads = [Data(), Data([1]), Data((0..<300).map { UInt8($0 % 251) })]
        var file = Data()
        for p in payloads { file.append(TFRecord.frame(p)) }
        #expect(file.count == payloads.reduce(0) { $0 + $1.count + 16 })
        #expect(try TFRecord.records(in: file, path: "f") == payloads)
        for at in [3, 9, 16 + 12, file.count - 1] {   // length, length CRC, data, data CRC
            var bad = file
            bad[at] ^= 0x40
            #expect(throws: TensorBoardError.self, "byte \(at)") { try TFRecord.records(in: bad, path: "f") }
        }
        #expect(throws: TensorBoardError.self) { try TFRecord.records(in: file.dropLast(2), path: "f") }
    }

    @Test func writerOutputReadsBackWithOurReader() throws {
        let dir = Scratch()
        let path = try writeDemoRun(dir.path)
        let name = (path as NSString).lastPathComponent
        #expect(name.hasPrefix("events.out.tfevents.") && name.split(separator: ".").count >= 5, "\(name)")
        let events = try EventFileReader.read(path)
        #expect(events.count == 1 + 3 * demoSteps.count + 4)
        #expect(events[0].fileVersion == "brain.Event:2" && events[0].scalars.isEmpty)
        let losses = events.compactMap { e in e.scalars["train/loss"].map { (e.step, $0) } }
        #expect(losses.map(\.0) == demoSteps && losses.map(\.1) == demoSteps.map { Float(demoLoss($0)) })
        #expect(events.compactMap { $0.scalars["train/lr"] }.allSatisfy { $0 == Float(1e-3) })
        let now = Date().timeIntervalSince1970
        #expect(events.allSatisfy { abs($0.wallTime - now) < 600 })
        let images = events.flatMap { e in e.images.map { (e.step, $0) } }
        #expect(images.map(\.0) == [300, 300, 600, 600] && images.map(\.1.tag) == ["samples", "grey", "samples", "grey"])
        // The PNG bytes decode (libpng) to the pixels given.
        for (step, image) in images {
            let file = dir.path + "/check.png"
            try image.png.write(to: URL(fileURLWithPath: file))
            let decoded = try PNGCodec.read(file)
            let channels = image.tag == "grey" ? 1 : 3
            #expect(image.colorspace == channels && decoded.width == image.width && decoded.height == image.height)
            let expected = gradient(width: image.width, height: image.height, channels: channels, shift: step)
            #expect(decoded.samples.map { UInt8(($0 * 255).rounded()) } == expected)
        }
        // A second writer in the same second gets its own file.
        let second = try TensorBoardWriter(directory: dir.path)
        #expect(second.path != path)
    }

    @Test func badArgumentsAndClosedWritersThrow() throws {
        let dir = Scratch()
        let tb = try TensorBoardWriter(directory: dir.path)
        #expect(throws: TensorBoardError.self) { try tb.image("x", pixels: [1, 2], width: 1, height: 1, channels: 3, step: 0) }
        #expect(throws: TensorBoardError.self) { try tb.image("x", pixels: [1, 2], width: 1, height: 1, channels: 2, step: 0) }
        try tb.close()
        #expect(throws: TensorBoardError.self) { try tb.scalar("x", 1, step: 0) }
        #expect(throws: TensorBoardError.self) { try TensorBoardWriter(directory: "/proc/no-such/tb") }
    }

    /// TensorBoard's own reader (EventAccumulator, via scripts/read-tensorboard.py) sees the same scalars and images.
    /// Skipped, with the reason printed, where `import tensorboard` fails (CI installs it from PyPI).
    /// With DRAW_TENSORBOARD_DEMO=DIR the files are written to DIR and kept (scripts/tensorboard-screenshot.sh DIR).
    @Test func tensorBoardsOwnReaderLoadsTheFiles() throws {
        guard run(["python3", "-c", "import tensorboard"]).status == 0 else {
            print("skipped: python3 cannot import tensorboard (pip install tensorboard)")
            return
        }
        let scratch = Scratch()
        let dir = ProcessInfo.processInfo.environment["DRAW_TENSORBOARD_DEMO"] ?? scratch.path
        _ = try writeDemoRun(dir)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/read-tensorboard.py").path
        let result = run(["python3", script, dir])
        try #require(result.status == 0, "read-tensorboard.py failed: \(result.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(json["file_version"] as? Double == 2)   // EventAccumulator parses "brain.Event:2" to its number
        let scalars = try #require(json["scalars"] as? [String: [[Double]]])
        #expect(Set(scalars.keys) == ["train/loss", "train/kl", "train/lr"])
        // Compared as float32 (what was stored): Foundation's JSON parser can miss a double's last digit.
        #expect(scalars["train/loss"]!.map { $0[0] } == demoSteps.map(Double.init))
        #expect(scalars["train/loss"]!.map { Float($0[1]) } == demoSteps.map { Float(demoLoss($0)) })
        #expect(scalars["train/kl"]!.map { Float($0[1]) } == demoSteps.map { Float(20 + Double($0) / 100) })
        let images = try #require(json["images"] as? [String: [[Int]]])
        #expect(images["samples"]!.map { Array($0[0...2]) } == [[300, 12, 8], [600, 12, 8]])
        #expect(images["grey"]!.map { Array($0[0...2]) } == [[300, 5, 7], [600, 5, 7]])
    }
}

/// Runs a command, returning its exit status and standard output (standard error is appended on failure).
func run(_ arguments: [String]) -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    do { try p.run() } catch { return (-1, "\(error)") }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    return (p.terminationStatus, p.terminationStatus == 0 ? text : text + String(decoding: errors, as: UTF8.self))
}
