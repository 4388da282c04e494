// NPYWriter.swift: float32 arrays as NumPy .npy files (format 1.0, little-endian, C order), written in pieces.
import Foundation

/// Writes one `<f4` array of a known shape, its values appended in C order by one or more `append` calls.
/// `finish()` checks that exactly shape.product values came; an unfinished file is removed on deinit.
public final class NPYWriter {
    public let path: String
    public let shape: [Int]
    private var handle: FileHandle?
    private var written = 0
    private let total: Int

    public init(path: String, shape: [Int]) throws {
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 0 }) else {
            throw DataError.invalidArgument("\(path): .npy shape \(shape) is not a list of sizes")
        }
        self.path = path
        self.shape = shape
        total = shape.reduce(1, *)
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(dims), }"
        // magic (6) + version (2) + length (2) + header + '\n', padded with spaces to a multiple of 64.
        let used = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - used % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)),
              let h = FileHandle(forWritingAtPath: path) else {
            throw DataError.writeFailed(path: path, detail: "cannot create the file")
        }
        h.seekToEndOfFile()
        handle = h
    }

    deinit {
        if handle != nil {
            try? handle?.close()
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Appends values in C order (little-endian on every platform Swift runs on here).
    public func append<C: Collection>(_ values: C) throws where C.Element == Float {
        guard let handle else { throw DataError.writeFailed(path: path, detail: "already finished") }
        guard written + values.count <= total else {
            throw DataError.invalidArgument("\(path): more than the \(total) values of shape \(shape)")
        }
        let data = Array(values).map { $0.bitPattern.littleEndian }.withUnsafeBytes { Data($0) }
        do { try handle.write(contentsOf: data) } catch {
            throw DataError.writeFailed(path: path, detail: error.localizedDescription)
        }
        written += values.count
    }

    public func finish() throws {
        guard let h = handle else { return }
        guard written == total else {
            throw DataError.invalidArgument("\(path): \(written) values written for shape \(shape) (\(total))")
        }
        handle = nil
        do { try h.close() } catch { throw DataError.writeFailed(path: path, detail: error.localizedDescription) }
    }
}
