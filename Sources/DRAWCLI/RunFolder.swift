// RunFolder.swift: a run's output folder: one writer at a time (flock), no fresh run over an old one, no stale temporaries.
import DRAW
import Foundation

/// The folder `draw train` writes into, held for the life of the run. A second writer is refused with the PID
/// holding the lock; a fresh run refuses a folder that already holds a run unless told to overwrite it; files
/// left half-written by a killed process (`*.tmp-<pid>`, Foundation's `.dat.nosync*`) are removed, which is safe
/// because no other process can be writing here while we hold the lock.
final class RunFolder {
    let url: URL
    private let lock: Int32

    static let lockName = ".draw.lock"
    /// What makes a folder hold a run (besides `checkpoints/step-*.safetensors`).
    static let runFiles = [RunSettings.fileName, "train-log.csv", "model.safetensors", "best.safetensors",
                           "discriminator.safetensors"]
    /// Drawn from the run's files: replaced with them, but not a sign of a run by itself.
    static let derivedFiles = ["loss.svg", "tensorboard"]

    /// - Parameters:
    ///   - fresh: a new run (not `--resume`): the folder must not hold another run, unless `overwrite`.
    ///   - overwrite: delete the old run's files first (checkpoints, model, logs, run.json, TensorBoard events).
    init(_ url: URL, fresh: Bool, overwrite: Bool) throws {
        self.url = url
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw CLIError("cannot create the output folder \(url.path): \(plainReason(error))")
        }
        let path = url.appendingPathComponent(Self.lockName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIError("cannot open the lock file \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw CLIError("another draw process (PID \(holder.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown")) is writing to "
                + "\(url.path); wait for it to finish or use another --out")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        lock = fd
        if fresh {
            let held = existingRun()
            if !held.isEmpty {
                guard overwrite else {
                    close(lock)
                    throw CLIError("\(url.path) already holds a run (\(held.prefix(3).joined(separator: ", "))); "
                        + "continue it with --resume, choose a new --out, or pass --overwrite to replace it")
                }
                removeRun()
            }
        }
        removeStrayTemporaries()
    }

    deinit { close(lock) }

    var checkpoints: URL { url.appendingPathComponent("checkpoints") }

    /// The files and checkpoints that show a run lives here (empty when none).
    func existingRun() -> [String] {
        let fm = FileManager.default
        var found = Self.runFiles.filter { fm.fileExists(atPath: url.appendingPathComponent($0).path) }
        let steps = CheckpointStore.list(in: checkpoints)
        if let newest = steps.first { found.insert("checkpoints/\(newest.lastPathComponent)", at: 0) }
        return found
    }

    private func removeRun() {
        let fm = FileManager.default
        for name in Self.runFiles + Self.derivedFiles { try? fm.removeItem(at: url.appendingPathComponent(name)) }
        for file in CheckpointStore.list(in: checkpoints) { try? fm.removeItem(at: file) }
    }

    /// Half-written files of killed writers, in the folder and its checkpoints.
    func removeStrayTemporaries() {
        for dir in [url, checkpoints] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for name in names where Self.isTemporary(name) {
                try? FileManager.default.removeItem(at: dir.appendingPathComponent(name))
            }
        }
    }

    static func isTemporary(_ name: String) -> Bool { name.contains(".tmp-") || name.hasPrefix(".dat.nosync") }
}
