// CheckpointStore.swift: the checkpoints of a run: step-numbered files, newest K kept, newest readable found on resume.
import DRAW
import Foundation

/// `<dir>/step-00001200.safetensors`, … Each file is written atomically by `DRAWModel.save`, so a crash
/// leaves at worst a stray `.tmp-*` file (removed by `RunFolder` at the next start), never a truncated checkpoint
/// under a real name.
struct CheckpointStore {
    let directory: URL
    let keep: Int
    /// The companions' names (`LossStep.companion`), removed with their checkpoints.
    var companions: [String] = []

    init(directory: URL, keep: Int) throws {
        self.directory = directory
        self.keep = max(1, keep)
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw CLIError("cannot create the checkpoint folder \(directory.path): \(plainReason(error))")
        }
    }

    func url(step: Int64) -> URL {
        directory.appendingPathComponent(String(format: "step-%08lld.safetensors", step))
    }

    /// A checkpoint's companion (what a loss keeps beside the model, e.g. the vaegan discriminator):
    /// `<name>-<step>.safetensors` beside `step-<step>.safetensors`; rotated with it.
    static func companion(_ name: String, of checkpoint: URL) -> URL {
        checkpoint.deletingLastPathComponent().appendingPathComponent(
            name + checkpoint.lastPathComponent.dropFirst(4))
    }

    /// Checkpoint files, newest (highest step) first.
    func list() -> [URL] { Self.list(in: directory) }

    /// Ordered by the step number in the name, never by string order (step-100000000 is newer than step-99999999).
    static func list(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name in step(of: name).map { (step: $0, name: name) } }
            .sorted { $0.step != $1.step ? $0.step > $1.step : $0.name > $1.name }
            .map { directory.appendingPathComponent($0.name) }
    }

    /// The step in a checkpoint's file name `step-<digits>.safetensors`, or nil for any other name.
    static func step(of name: String) -> Int64? {
        guard name.hasPrefix("step-"), name.hasSuffix(".safetensors") else { return nil }
        let digits = name.dropFirst(5).dropLast(12)
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(digits)
    }

    /// Saves the model as the checkpoint of its step (refused, writing nothing, if any tensor is not finite), then
    /// deletes all but the newest `keep`. The one just written is never among those deleted.
    @discardableResult
    func save(_ model: DRAWModel) throws -> URL {
        let target = url(step: model.step)
        try model.save(to: target.path)
        for old in list().dropFirst(keep) where old != target {
            try? FileManager.default.removeItem(at: old)
            for name in companions { try? FileManager.default.removeItem(at: Self.companion(name, of: old)) }
        }
        return target
    }

    /// The model in `path`: a checkpoint file, or a folder (a run's output or its checkpoints folder), in which
    /// case the newest checkpoint that loads is taken and unreadable newer ones are reported and skipped.
    /// `resumable` takes only files with Adam's state (step checkpoints, not the weights-only model.safetensors).
    static func loadNewest(from path: String, resumable: Bool = false, log: (String) -> Void) throws -> (DRAWModel, URL) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw CLIError("no checkpoint at '\(path)': no such file or folder")
        }
        if !isDir.boolValue {
            let model = try DRAWModel(contentsOf: path)
            if resumable, !model.hasOptimizerState {
                throw CLIError("\(path) holds weights only (no Adam state): it can be sampled or fine-tuned "
                    + "(--init-from), not resumed")
            }
            return (model, URL(fileURLWithPath: path))
        }
        let folder = URL(fileURLWithPath: path)
        var candidates = list(in: folder.appendingPathComponent("checkpoints")) + list(in: folder)
        let final = folder.appendingPathComponent("model.safetensors")
        if !resumable, FileManager.default.fileExists(atPath: final.path) { candidates.append(final) }
        guard !candidates.isEmpty else { throw CLIError("no checkpoint (step-*.safetensors) in folder '\(path)'") }
        var errors: [String] = []
        for url in candidates {
            do {
                let model = try DRAWModel(contentsOf: url.path)
                if resumable, !model.hasOptimizerState { throw CLIError("weights only (no Adam state)") }
                return (model, url)
            } catch {
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
