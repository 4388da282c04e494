// CheckpointStore.swift: the checkpoints of a run: step-numbered files, newest K kept, newest readable found on resume.
import DRAW
import Foundation

/// `<dir>/step-00001200.safetensors`, … Each file is written atomically by `DRAWModel.save`, so a crash
/// leaves at worst a stray `.tmp-*` file (removed here), never a truncated checkpoint under a real name.
struct CheckpointStore {
    let directory: URL
    let keep: Int

    init(directory: URL, keep: Int) throws {
        self.directory = directory
        self.keep = max(1, keep)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func url(step: Int64) -> URL {
        directory.appendingPathComponent(String(format: "step-%08lld.safetensors", step))
    }

    /// Checkpoint files, newest (highest step) first.
    func list() -> [URL] { Self.list(in: directory) }

    static func list(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("step-") && $0.hasSuffix(".safetensors") }
            .sorted(by: >).map { directory.appendingPathComponent($0) }
    }

    /// Saves the model as the checkpoint of its step, then deletes all but the newest `keep`.
    @discardableResult
    func save(_ model: DRAWModel) throws -> URL {
        let target = url(step: model.step)
        try model.save(to: target.path)
        for old in list().dropFirst(keep) { try? FileManager.default.removeItem(at: old) }
        removeStrayTemporaries()
        return target
    }

    /// Temporary files left by a process killed while writing.
    func removeStrayTemporaries() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let pid = ProcessInfo.processInfo.processIdentifier
        for name in names where name.contains(".tmp-") && !name.hasSuffix(".tmp-\(pid)") {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// The model in `path`: a checkpoint file, or a folder (a run's output or its checkpoints folder), in which
    /// case the newest checkpoint that loads is taken and unreadable newer ones are reported and skipped.
    static func loadNewest(from path: String, log: (String) -> Void) throws -> (DRAWModel, URL) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw CLIError("no checkpoint at '\(path)': no such file or folder")
        }
        if !isDir.boolValue { return (try DRAWModel(contentsOf: path), URL(fileURLWithPath: path)) }
        let folder = URL(fileURLWithPath: path)
        var candidates = list(in: folder.appendingPathComponent("checkpoints")) + list(in: folder)
        let final = folder.appendingPathComponent("model.safetensors")
        if FileManager.default.fileExists(atPath: final.path) { candidates.append(final) }
        guard !candidates.isEmpty else { throw CLIError("no checkpoint (step-*.safetensors) in folder '\(path)'") }
        var errors: [String] = []
        for url in candidates {
            do { return (try DRAWModel(contentsOf: url.path), url) } catch {
                log("skipping unreadable checkpoint \(url.path): \(error)")
                errors.append("\(url.lastPathComponent): \(error)")
            }
        }
        throw CLIError("no readable checkpoint in '\(path)':\n  " + errors.joined(separator: "\n  "))
    }
}

/// An error the CLI prints as it is.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
