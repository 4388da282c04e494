// TempFolder.swift: a test's temporary folders (one kept for the test to inspect, one removed when released) and the bytes of a file.
import Foundation

/// A fresh empty folder under the temporary directory, named for the test (`name`) and kept afterwards.
public func scratchFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("draw-test-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A fresh temporary folder, removed when the value is released.
public final class TempFolder {
    public let path: String

    public init() { path = try! scratchFolder("tmp").path }

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
