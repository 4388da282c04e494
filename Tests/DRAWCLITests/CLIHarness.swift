// CLIHarness.swift: running `draw` in tests: in process through the parser, or as a child process (signals, mpirun).
import CKernels
import DRAW
import DRAWTestSupport
import Foundation
import Testing
@testable import DRAWCLI

/// A tiny model and data set that train in well under a second: faces at 16×16, T = 3.
let tinyModel = ["--data", "faces", "--limit", "96", "--height", "16", "--width", "16", "--steps", "3",
                 "--read-n", "2", "--write-n", "3", "--enc-size", "16", "--dec-size", "12", "--z-size", "4",
                 "--batch-size", "8", "--threads", "1", "--seed", "5"]

/// Parses and runs one `draw` command line in this process, holding the kernel-state lock (the command sets
/// the thread count; other suites force SIMD and bf16 paths, which would change the bits of a training run).
func runDraw(_ args: [String]) throws {
    PointwiseReference.simdPathLock.lock()
    defer { PointwiseReference.simdPathLock.unlock() }
    _ = ck_force_simd_path(-1)
    _ = ck_force_bf16_path(-1)
    var command = try DrawCommand.parseAsRoot(args)
    try command.run()
}

/// The message ArgumentParser would print for a command line that fails validation, or nil if it parses.
func validationMessage(_ args: [String]) -> String? {
    do { _ = try DrawCommand.parseAsRoot(args); return nil } catch {
        return DrawCommand.message(for: error)
    }
}

/// The `draw` executable next to the test bundle (swift build puts every product in one folder).
func drawExecutable() throws -> URL {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("draw")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    throw CLIError("the draw executable was not found next to \(CommandLine.arguments[0]); run `swift build` first")
}

/// A child process with its output collected; `wait()` returns the exit status (128 + signal when killed).
final class Child {
    let process = Process()
    let output = Pipe()
    private(set) var text = ""

    init(_ executable: URL, _ args: [String], environment: [String: String] = [:]) throws {
        process.executableURL = executable
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    /// Waits for the exit and returns its status and everything it printed.
    @discardableResult
    func wait() -> (status: Int32, output: String) {
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        text = String(decoding: data, as: UTF8.self)
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return (status, text)
    }
}

/// Runs a shell command line and returns its status and output.
@discardableResult
func shell(_ command: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    try Child(URL(fileURLWithPath: "/bin/bash"), ["-c", command], environment: environment).wait()
}

/// A checkpoint's parameter slab, copied while the model is alive (the slab points into the model's memory).
func parameters(_ checkpoint: URL) throws -> [Float] {
    let model = try DRAWModel(contentsOf: checkpoint.path)
    return withExtendedLifetime(model) { Array(model.parameterSlab) }
}
