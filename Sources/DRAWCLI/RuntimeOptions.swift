// RuntimeOptions.swift: options every compute command shares: threads, seed and the products' precision.
import ArgumentParser
import DRAW
import DRAWKernels
import Foundation

extension Precision: ExpressibleByArgument {}

public struct RuntimeOptions: ParsableArguments {
    @Option(help: "Threads for the kernels and BLAS (default: all cores).")
    public var threads: Int?

    @Option(name: .customLong("seed"),
            help: "Seed for initialisation, noise and data order; the same seed gives the same run. Default: 1.")
    public var seedOption: UInt64?
    /// nil when not given (a resumed run then keeps its saved seed).
    public var seed: UInt64 { get { seedOption ?? 1 } set { seedOption = newValue } }

    @Option(help: ArgumentHelp("Refuse to start when the estimated memory need is above this many MiB (default: the machine's physical memory).",
                               valueName: "MiB"))
    public var maxMemory: Int?

    @Option(name: .customLong("precision"), help: ArgumentHelp(
        "What the per-step products multiply: float32, or bf16 (bf16 inputs, float32 sums; weights, Adam, cells, canvas and losses stay float32). With --loss vaegan the discriminator's convolutions follow it.",
        discussion: "`draw info --precision bf16` names the bf16 kernel this CPU runs (amx, avx512bf16, avx2 or scalar)."))
    public var precisionOption: Precision?
    /// nil when not given (a resumed run then keeps its saved precision).
    public var precision: Precision { get { precisionOption ?? .float32 } set { precisionOption = newValue } }

    public init() {}

    public mutating func validate() throws {
        if let threads, threads < 1 || threads > Self.maxThreads {
            throw ValidationError("--threads must be in 1...\(Self.maxThreads) (got \(threads)).")
        }
        if let maxMemory, maxMemory < 1 { throw ValidationError("--max-memory must be at least 1 MiB (got \(maxMemory)).") }
    }

    /// More threads than this is a typo, not a machine (and must fit a C int).
    public static let maxThreads = 4096

    /// The memory a command may plan for, in bytes: --max-memory, or the machine's physical memory.
    public var memoryLimit: Int {
        if let maxMemory { return maxMemory.multipliedReportingOverflow(by: 1 << 20).overflow ? Int.max : maxMemory << 20 }
        return Int(ProcessInfo.processInfo.physicalMemory)
    }

    /// Applies the thread policy once, before any compute (each command sets `model.precision = precision`).
    public func apply() {
        KernelRuntime.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
    }
}

/// One line naming the SIMD and bf16 paths, threads, BLAS core and the products' precision: printed by every
/// compute command.
public func buildInfoLine(precision: Precision = .float32) -> String {
    let line = KernelRuntime.buildInfo + " precision=\(precision.rawValue)"
    return line + (BLASCorePolicy.replacedCore.map { " (draw set OPENBLAS_CORETYPE=SkylakeX over \($0) for this AVX-512 CPU; DRAW_BLAS_CORE=keep to stop it)" } ?? "")
}
