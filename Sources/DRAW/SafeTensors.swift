// SafeTensors.swift: the safetensors container (8-byte header length, JSON header, raw data): validated reading and atomic writing.
import Foundation

/// One tensor entry of a safetensors header.
struct SafeTensorEntry {
    let dtype: String
    let shape: [Int]
    /// Byte range inside the data section (after the header).
    let begin: Int, end: Int
}

/// A safetensors file read into memory with its header checked: every entry has a dtype, a shape and a byte
/// range that lies inside the file and matches the shape. Errors name the file and the entry.
struct SafeTensorsFile {
    let path: String
    let metadata: [String: String]
    let entries: [String: SafeTensorEntry]
    private let bytes: Data
    private let dataStart: Int

    static let bytesPerElement: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
        "U16": 2, "U32": 4, "U64": 8, "F8_E4M3": 1, "F8_E5M2": 1,
    ]

    init(path: String) throws {
        self.path = path
        func bad(_ reason: String) -> DRAWError { .badSafeTensors(path: path, reason: reason) }
        // Sized first: Foundation's Data(contentsOf:) leaks a 4 KiB buffer on an empty file (found by FuzzSafeTensors).
        var info = stat()
        if stat(path, &info) == 0, info.st_size < 8, (info.st_mode & S_IFMT) == S_IFREG {
            throw bad("file is \(info.st_size) bytes, shorter than the 8-byte header length")
        }
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw DRAWError.io(path: path, reason: "cannot read: \(plainReason(error))")
        }
        guard bytes.count >= 8 else { throw bad("file is \(bytes.count) bytes, shorter than the 8-byte header length") }
        let headerLength = bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength >= 2, headerLength <= UInt64(bytes.count - 8), headerLength <= 100_000_000 else {
            throw bad("header length \(headerLength) does not fit a file of \(bytes.count) bytes (truncated?)")
        }
        let start = bytes.startIndex
        dataStart = 8 + Int(headerLength)
        let json = bytes[(start + 8)..<(start + dataStart)]
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: json) } catch {
            throw bad("header is not valid JSON: \((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "malformed")")
        }
        guard let header = root as? [String: Any] else { throw bad("header JSON is not an object") }
        let dataBytes = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [String: SafeTensorEntry] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw bad("__metadata__ is not an object") }
                for (key, v) in m {
                    guard let s = v as? String else {
                        throw DRAWError.badMetadata(path: path, key: key, reason: "value is not a string")
                    }
                    metadata[key] = s
                }
                continue
            }
            func badTensor(_ reason: String) -> DRAWError { .badTensor(path: path, name: name, reason: reason) }
            guard let e = value as? [String: Any] else { throw badTensor("header entry is not an object") }
            guard let dtype = e["dtype"] as? String else { throw badTensor("missing or non-string \"dtype\"") }
            guard let size = Self.bytesPerElement[dtype] else { throw badTensor("unknown dtype \"\(dtype)\"") }
            guard let shapeValues = e["shape"] as? [Any],
                  let shape = Self.integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
                throw badTensor("missing or malformed \"shape\"")
            }
            guard let offsetValues = e["data_offsets"] as? [Any], let offsets = Self.integers(offsetValues),
                  offsets.count == 2 else { throw badTensor("missing or malformed \"data_offsets\"") }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end else { throw badTensor("data_offsets [\(begin), \(end)] are reversed") }
            guard end <= dataBytes else {
                throw badTensor("data_offsets end \(end) is past the \(dataBytes) data bytes in the file (truncated?)")
            }
            // Checked: the shape comes from the file, and a wrapped product could match a small byte range.
            guard let bytes = Self.product(shape + [size]), end - begin == bytes else {
                let need = Self.product(shape + [size]).map { "\($0) bytes" } ?? "more bytes than an Int holds"
                throw badTensor("shape \(shape) of \(dtype) needs \(need), data_offsets give \(end - begin)")
            }
            entries[name] = SafeTensorEntry(dtype: dtype, shape: shape, begin: begin, end: end)
        }
        self.metadata = metadata
        self.entries = entries
        self.bytes = bytes
    }

    /// JSON numbers as Ints (JSONSerialization gives NSNumber); nil if any is not a whole number an Int holds.
    /// The range is checked on the Double first: `intValue` of 1e300 or 2^64 is not a number the file holds.
    private static func integers(_ values: [Any]) -> [Int]? {
        var out: [Int] = []
        for v in values {
            guard let n = v as? NSNumber else { return nil }
            let d = n.doubleValue
            guard Int(exactly: d) != nil, Double(n.int64Value) == d else { return nil }
            out.append(Int(n.int64Value))
        }
        return out
    }

    /// The product of `factors`, or nil when it overflows Int.
    static func product(_ factors: [Int]) -> Int? {
        var p = 1
        for f in factors {
            let (q, overflow) = p.multipliedReportingOverflow(by: f)
            if overflow { return nil }
            p = q
        }
        return p
    }

    /// Throws unless `name` is a float32 tensor of `shape`.
    func checkFloats(_ name: String, shape: [Int]) throws {
        guard let e = entries[name] else { throw DRAWError.missingTensor(path: path, name: name) }
        guard e.dtype == "F32" else { throw DRAWError.badTensor(path: path, name: name, reason: "dtype \(e.dtype), expected F32") }
        guard e.shape == shape else {
            throw DRAWError.badTensor(path: path, name: name, reason: "shape \(e.shape), expected \(shape)")
        }
    }

    /// Copies float32 tensor `name` into `destination` after checking its dtype and shape.
    func readFloats(_ name: String, shape: [Int], into destination: UnsafeMutablePointer<Float>) throws {
        try checkFloats(name, shape: shape)
        let e = entries[name]!
        _ = bytes.withUnsafeBytes { raw in
            // The data section is little-endian float32, as are the machines Swift on Linux runs on.
            memcpy(destination, raw.baseAddress! + dataStart + e.begin, e.end - e.begin)
        }
    }
}

/// Writes a safetensors file atomically: `<path>.tmp-<pid>`, fsync, rename over `path`, fsync the directory.
/// `tensors` are float32 (name, shape, values); the header lists them sorted by name, data in the same order.
func writeSafeTensors(path: String, metadata: [String: String],
                      tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)]) throws {
    let sorted = tensors.sorted { $0.name < $1.name }
    var header: [String: Any] = ["__metadata__": metadata]
    var offset = 0
    for t in sorted {
        precondition(t.values.count == t.shape.reduce(1, *), "\(t.name): values do not match shape")
        let bytes = t.values.count * 4
        header[t.name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
        offset += bytes
    }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
    // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
    while (8 + json.count) % 8 != 0 { json.append(0x20) }
    var file = Data(capacity: 8 + json.count + offset)
    var length = UInt64(json.count).littleEndian
    withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
    file.append(json)
    for t in sorted { file.append(UnsafeBufferPointer(start: UnsafeRawPointer(t.values.baseAddress!)
                                                           .assumingMemoryBound(to: UInt8.self), count: t.values.count * 4)) }
    try writeAtomically(path: path, data: file)
}

/// The one place file writes fail: each POSIX call's errno becomes a `DRAWError.io` naming the path. Writes
/// `<path>.tmp-<pid>`, fsyncs, renames it over `path` and fsyncs the directory: a crash leaves the old file or the new.
public func writeAtomically(path: String, data: Data) throws {
    let tmp = "\(path).tmp-\(getpid())"
    func fail(_ what: String, _ p: String) -> DRAWError { .io(path: p, reason: "\(what): \(String(cString: strerror(errno)))") }
    let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw fail("cannot create", tmp) }
    var ok = true
    data.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 { if errno == EINTR { continue }; ok = false; return }
            done += n
        }
    }
    if !ok { let e = fail("write failed", tmp); close(fd); unlink(tmp); throw e }
    if fsync(fd) != 0 { let e = fail("fsync failed", tmp); close(fd); unlink(tmp); throw e }
    if close(fd) != 0 { let e = fail("close failed", tmp); unlink(tmp); throw e }
    if rename(tmp, path) != 0 { let e = fail("cannot rename \(tmp) over it", path); unlink(tmp); throw e }
    let dir = (path as NSString).deletingLastPathComponent
    let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY)
    guard dfd >= 0 else { throw fail("cannot open directory to fsync", dir) }
    defer { close(dfd) }
    if fsync(dfd) != 0 { throw fail("fsync of directory failed", dir) }
}
