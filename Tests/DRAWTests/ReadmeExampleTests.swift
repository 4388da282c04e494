// ReadmeExampleTests.swift: the Swift example in README.md, taken from the README itself, compiled and run, so it cannot rot.
import Foundation
import Testing

@Suite struct ReadmeExampleTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The first ```swift block after the "## Swift API" heading (or the README's first ```swift block).
    static func example(in readme: String) -> String? {
        let lines = readme.components(separatedBy: "\n")
        let start = lines.firstIndex { $0.hasPrefix("## ") && $0.contains("Swift API") } ?? 0
        guard let open = lines[start...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "```swift" }),
              let close = lines[(open + 1)...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "```" })
        else { return nil }
        return lines[(open + 1)..<close].joined(separator: "\n")
    }

    /// The build folder holding this test binary's modules and DRAW's and CKernels' object files.
    static func buildFolder() -> URL? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Modules/DRAW.swiftmodule").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// Compiles the README's block as a program's top-level code against the built DRAW module (swiftc, a few
    /// seconds) and runs it in an empty folder: it must build and exit 0.
    @Test func theReadmeExampleCompilesAndRuns() throws {
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let code = try #require(Self.example(in: readme), "README.md has no ```swift block under ## Swift API")
        #expect(code.contains("import DRAW"))
        let build = try #require(Self.buildFolder(), "no Modules/DRAW.swiftmodule near \(CommandLine.arguments[0])")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("readme-example-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try code.write(to: work.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
        func objects(_ target: String) throws -> [String] {
            let dir = build.appendingPathComponent("\(target).build")
            return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".o") }.sorted()
                .map { dir.appendingPathComponent($0).path }
        }
        var args = ["swiftc", "-o", work.appendingPathComponent("example").path, work.appendingPathComponent("main.swift").path,
                    "-I", build.appendingPathComponent("Modules").path,
                    "-Xcc", "-fmodule-map-file=" + build.appendingPathComponent("CKernels.build/module.modulemap").path,
                    "-Xcc", "-fmodule-map-file=" + Self.repository.appendingPathComponent("Sources/COpenBLAS/module.modulemap").path,
                    "-Xcc", "-I/usr/include/x86_64-linux-gnu/openblas-pthread"]
        args += try objects("DRAW") + objects("DRAWKernels") + objects("CKernels")
        args += ["-L/usr/lib/x86_64-linux-gnu/openblas-pthread", "-lopenblas", "-l:libomp.so.5", "-lm"]
        // scripts/sanitize.sh builds into .build-asan / .build-ubsan: link the same runtime.
        if build.path.contains(".build-asan") { args.append("-sanitize=address") }
        if build.path.contains(".build-ubsan") { args += ["-Xclang-linker", "-fsanitize=undefined"] }
        let compiled = try runTool(args, in: work)
        try #require(compiled.status == 0, "the README example does not compile:\n\(compiled.output)")
        let ran = try runTool([work.appendingPathComponent("example").path], in: work)
        #expect(ran.status == 0, "the README example failed:\n\(ran.output)")
        #expect(ran.output.contains("loss"), "it prints its losses")
    }

    @Test func theExtractionFindsTheBlockUnderItsHeading() {
        let text = "# x\n```swift\nfirst\n```\n## Swift API\nsome words\n```swift\nlet a = 1\nprint(a)\n```\n## next\n"
        #expect(Self.example(in: text) == "let a = 1\nprint(a)")
        #expect(Self.example(in: "no code") == nil)
    }
}

/// Runs a program (through /usr/bin/env) in `folder`; returns its status and its output and errors together.
func runTool(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments
    p.currentDirectoryURL = folder
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
