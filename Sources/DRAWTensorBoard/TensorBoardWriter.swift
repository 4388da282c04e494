// TensorBoardWriter.swift: writes scalars and images into a TensorBoard event file (events.out.tfevents.*).
import Foundation
import Glibc
import SwiftProtobuf

/// One event file in `directory`, as TensorFlow's summary writer makes it: the first record is an Event with
/// `file_version = "brain.Event:2"`, then one Event per `scalar` / `image` call, each TFRecord-framed.
/// Records are buffered and reach the file on `flush()` (and when the buffer passes 1 MiB, and on `close()`),
/// so TensorBoard sees them after a flush. Not thread-safe: call it from one thread.
///
/// Usage: `let tb = try TensorBoardWriter(directory: "run/tensorboard")`, `try tb.scalar("loss", 1.5, step: 10)`,
/// `try tb.image("samples", png: data, width: 64, height: 64, channels: 3, step: 10)`, `try tb.flush()`.
public final class TensorBoardWriter {
    /// The event file this writer appends to.
    public let path: String
    private var fd: Int32
    private var pending = Data()
    private let clock: () -> Double

    /// The version string of the first record, which TensorBoard's reader checks.
    public static let fileVersion = "brain.Event:2"

    /// Creates `directory` if needed and a new `events.out.tfevents.<unix seconds>.<host>` in it (with `.<n>`
    /// appended when that name is taken). `clock` gives wall_time in seconds since 1970 (tests pin it).
    public init(directory: String, clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TensorBoardError.cannotCreate(path: directory, reason: error.localizedDescription)
        }
        self.clock = clock
        let base = "events.out.tfevents.\(Int(clock())).\(TensorBoardWriter.hostName())"
        var name = base, n = 1, fd: Int32 = -1
        while true {
            let candidate = (directory as NSString).appendingPathComponent(name)
            fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 { path = candidate; break }
            guard errno == EEXIST, n < 1000 else {
                throw TensorBoardError.cannotCreate(path: candidate, reason: String(cString: strerror(errno)))
            }
            name = "\(base).\(n)"
            n += 1
        }
        self.fd = fd
        var first = Tensorboard_Event()
        first.wallTime = clock()
        first.fileVersion = TensorBoardWriter.fileVersion
        try append(first)
        try flush()
    }

    deinit {
        if fd >= 0 { try? close() }
    }

    /// One scalar, shown in TensorBoard's Scalars tab under `tag` (e.g. "train/loss"). Stored as a float32.
    public func scalar(_ tag: String, _ value: Double, step: Int) throws {
        var v = Tensorboard_Summary.Value()
        v.tag = tag
        v.simpleValue = Float(value)
        try append(summary: v, step: step)
    }

    /// One image from PNG bytes; `channels` is the PNG's (1 grey, 3 RGB, 4 RGBA), width and height its size.
    public func image(_ tag: String, png: Data, width: Int, height: Int, channels: Int, step: Int) throws {
        guard [1, 2, 3, 4].contains(channels), width >= 1, height >= 1, width <= Int(Int32.max), height <= Int(Int32.max)
        else { throw TensorBoardError.invalidArgument("image \(tag): \(width)x\(height)x\(channels) is not a PNG's shape") }
        var image = Tensorboard_Summary.Image()
        image.width = Int32(width)
        image.height = Int32(height)
        image.colorspace = Int32(channels)
        image.encodedImageString = png
        var v = Tensorboard_Summary.Value()
        v.tag = tag
        v.image = image
        try append(summary: v, step: step)
    }

    /// One image from interleaved 8-bit pixels (height, width, channels), encoded as PNG here.
    public func image(_ tag: String, pixels: [UInt8], width: Int, height: Int, channels: Int, step: Int) throws {
        let png = try PNGEncoder.encode(pixels, width: width, height: height, channels: channels)
        try image(tag, png: png, width: width, height: height, channels: channels, step: step)
    }

    /// Writes what is buffered to the file.
    public func flush() throws {
        guard fd >= 0 else { throw TensorBoardError.writeFailed(path: path, reason: "the writer is closed") }
        try pending.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw TensorBoardError.writeFailed(path: path, reason: String(cString: strerror(errno)))
                }
                done += n
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file; later calls throw.
    public func close() throws {
        guard fd >= 0 else { return }
        defer { _ = Glibc.close(fd); fd = -1 }
        try flush()
    }

    private func append(summary value: Tensorboard_Summary.Value, step: Int) throws {
        var event = Tensorboard_Event()
        event.wallTime = clock()
        event.step = Int64(step)
        event.summary.value = [value]
        try append(event)
    }

    private func append(_ event: Tensorboard_Event) throws {
        guard fd >= 0 else { throw TensorBoardError.writeFailed(path: path, reason: "the writer is closed") }
        pending.append(TFRecord.frame(try event.serializedData()))
        if pending.count > 1 << 20 { try flush() }
    }

    /// The host name for the file name, with anything but letters, digits, '.', '-' and '_' replaced by '_'.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let bytes = gethostname(&buffer, buffer.count - 1) == 0 ? buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) } : []
        let name = String(decoding: bytes, as: UTF8.self)
        let safe = name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" }
        return safe.isEmpty ? "localhost" : String(safe)
    }
}
