// InfoCommand.swift: `draw info`: build info (SIMD path, threads, BLAS core) and, given one, a checkpoint's config.
import ArgumentParser

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print the SIMD path, thread count and BLAS core in use, and a checkpoint's config.")

    @OptionGroup var runtime: RuntimeOptions

    mutating func run() throws {
        runtime.apply()
        print(buildInfoLine())
    }
}
