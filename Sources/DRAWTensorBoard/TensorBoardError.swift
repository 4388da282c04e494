// TensorBoardError.swift: what can go wrong writing or reading event files; every message names the file.

/// Errors of the event-file writer and reader. The training loop may report them as warnings and go on.
public enum TensorBoardError: Error, Equatable, CustomStringConvertible {
    /// The folder or the event file could not be created.
    case cannotCreate(path: String, reason: String)
    /// Writing to (or closing) the event file failed.
    case writeFailed(path: String, reason: String)
    /// An event file that does not parse: bad framing, a CRC mismatch, or a record that is not an Event.
    case corrupt(path: String, offset: Int, detail: String)
    /// A caller passed something an event cannot hold (image size, byte count, channels).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .cannotCreate(path, reason): return "\(path): cannot create the TensorBoard event file: \(reason)"
        case let .writeFailed(path, reason): return "\(path): cannot write the TensorBoard event file: \(reason)"
        case let .corrupt(path, offset, detail): return "\(path): corrupt event file at byte \(offset): \(detail)"
        case let .invalidArgument(message): return message
        }
    }
}
