// Driver.swift: hands the process to libFuzzer with a harness's one-input function.
import CFuzzDriver
#if canImport(Glibc)
import Glibc
#endif

/// Runs libFuzzer on `body` with the process's arguments (corpus folders, -max_total_time, ...); exits with its status.
public func runFuzzer(_ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, body))
}
