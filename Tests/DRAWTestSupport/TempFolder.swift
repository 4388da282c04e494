// TempFolder.swift: a test's temporary folder (removed when released) and the bytes of a file.
import Foundation

/// A fresh temporary folder, removed when the value is released.
public final class TempFolder {
    public let path: String

    public init() {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/draw-test-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `name` inside the folder (sub-folders created).
    public func file(_ name: String) -> String {
        let full = path + "/" + name
        try! FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        return full
    }

    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) -> String {
        let full = file(name)
        _ = FileManager.default.createFile(atPath: full, contents: Data(bytes))
        return full
    }
}

/// The bytes of the file at `path` (none when it cannot be read).
public func readBytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }
