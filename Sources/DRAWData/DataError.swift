// DataError.swift: the one error type of DRAWData; every message names the file (or argument) and the problem.
import Foundation

/// What can go wrong reading or writing data. `description` is a full sentence naming the path.
public enum DataError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The file could not be opened or read (missing, permissions, I/O error).
    case unreadable(path: String, reason: String)
    /// The file ends before the data its header promises.
    case truncated(path: String, detail: String)
    /// The file does not start with the expected signature or magic number.
    case badMagic(path: String, detail: String)
    /// The payload size does not match what the header declares.
    case sizeMismatch(path: String, expected: Int, actual: Int)
    /// The declared dimensions would need more memory than the limit; refused before allocating.
    case tooLarge(path: String, detail: String)
    /// An image with zero width, height or count.
    case zeroSize(path: String)
    /// A folder with no readable image in it.
    case emptyFolder(path: String, skipped: Int)
    /// The codec reported an error decoding the file (message from libpng / libjpeg / giflib).
    case decodeFailed(path: String, detail: String)
    /// Writing the file failed.
    case writeFailed(path: String, detail: String)
    /// A caller passed an argument the function cannot use (shape, count, option).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "\(path): cannot read file: \(reason)"
        case let .truncated(path, detail): return "\(path): truncated file: \(detail)"
        case let .badMagic(path, detail): return "\(path): bad magic: \(detail)"
        case let .sizeMismatch(path, expected, actual):
            return "\(path): size mismatch: the header declares \(expected) bytes of data, the file holds \(actual)"
        case let .tooLarge(path, detail): return "\(path): declared dimensions too large: \(detail)"
        case let .zeroSize(path): return "\(path): zero-size image"
        case let .emptyFolder(path, skipped):
            return "\(path): no readable .png/.jpg/.jpeg image found (\(skipped) other file(s) skipped)"
        case let .decodeFailed(path, detail): return "\(path): cannot decode: \(detail)"
        case let .writeFailed(path, detail): return "\(path): cannot write: \(detail)"
        case let .invalidArgument(detail): return "invalid argument: \(detail)"
        }
    }

    public var errorDescription: String? { description }
}
