// NPY.swift: a reader for NumPy .npy files (v1–v3, C order, uint8 or little-endian float32/float64) for the fixtures.
import Foundation

/// An array read from a .npy file: its shape and its values as Float (uint8 values stay 0…255).
public struct NPYArray {
    public let shape: [Int]
    public let values: [Float]
}

public enum NPYError: Error, CustomStringConvertible {
    case bad(path: String, reason: String)
    public var description: String {
        switch self { case let .bad(path, reason): "\(path): not a readable .npy file: \(reason)" }
    }
}

/// Reads `path`; throws `NPYError` naming the file for anything other than a C-order `|u1`, `<f4` or `<f8` array.
public func readNPY(_ path: String) throws -> NPYArray {
    func bad(_ reason: String) -> NPYError { .bad(path: path, reason: reason) }
    let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    guard data.count >= 10, data[0] == 0x93, Array(data[1...5]) == Array("NUMPY".utf8) else { throw bad("bad magic") }
    let major = data[6]
    let headerLength: Int, start: Int
    switch major {
    case 1: headerLength = Int(data[8]) | Int(data[9]) << 8; start = 10
    case 2, 3:
        guard data.count >= 12 else { throw bad("truncated header") }
        headerLength = (0..<4).reduce(0) { $0 | Int(data[8 + $1]) << (8 * $1) }; start = 12
    default: throw bad("unknown version \(major)")
    }
    guard start + headerLength <= data.count else { throw bad("header runs past the end of the file") }
    let header = String(decoding: data[start..<(start + headerLength)], as: UTF8.self)
    func field(_ key: String) -> String? {
        guard let r = header.range(of: "'\(key)':") else { return nil }
        return String(header[r.upperBound...]).trimmingCharacters(in: .whitespaces)
    }
    guard let descrField = field("descr"), let quote = descrField.dropFirst().firstIndex(of: "'") else {
        throw bad("no descr")
    }
    let descr = String(descrField[descrField.index(after: descrField.startIndex)..<quote])
    guard let fortran = field("fortran_order"), fortran.hasPrefix("False") else { throw bad("only C order is supported") }
    guard let shapeField = field("shape"), let open = shapeField.firstIndex(of: "("),
          let close = shapeField.firstIndex(of: ")") else { throw bad("no shape") }
    let shape = shapeField[shapeField.index(after: open)..<close].split(separator: ",")
        .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.compactMap { Int($0) }
    let count = shape.reduce(1, *)
    let body = start + headerLength
    let size: Int
    switch descr {
    case "|u1", "<u1": size = 1
    case "<f4": size = 4
    case "<f8": size = 8
    default: throw bad("unsupported dtype \(descr)")
    }
    guard data.count - body >= count * size else {
        throw bad("shape \(shape) needs \(count * size) data bytes, file has \(data.count - body)")
    }
    var values = [Float](repeating: 0, count: count)
    data.withUnsafeBytes { raw in
        let p = raw.baseAddress! + body
        for i in 0..<count {
            switch size {
            case 1: values[i] = Float(raw[body + i])
            case 4: values[i] = Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            default: values[i] = Float(Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        }
    }
    return NPYArray(shape: shape, values: values)
}
