// DRAWError.swift: every failure the DRAW module reports, each message naming what failed and where.
import Foundation

/// What can go wrong in the model API; `description` names the file, field or tensor involved.
public enum DRAWError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A config field out of range, or a config that cannot be decoded.
    case invalidConfig(field: String, reason: String)
    /// A batch, noise or latent array whose length does not fit the config.
    case shapeMismatch(what: String, expected: String, got: Int)
    /// A file that cannot be read, written, synced or renamed.
    case io(path: String, reason: String)
    /// A safetensors file whose bytes are not a valid container.
    case badSafeTensors(path: String, reason: String)
    /// A tensor the checkpoint must hold and does not.
    case missingTensor(path: String, name: String)
    /// A tensor with the wrong dtype or shape.
    case badTensor(path: String, name: String, reason: String)
    /// A metadata entry that is missing or malformed.
    case badMetadata(path: String, key: String, reason: String)
    /// A gradient with NaN or Inf values: the update was not applied.
    case nonFiniteGradient(step: Int64, count: Int)
    /// Adam step `step` made a parameter or moment NaN or infinite (the run diverged).
    case diverged(step: Int64, tensor: String)
    /// A parameter or Adam moment is NaN or infinite: nothing was written to `path`.
    case nonFiniteState(path: String, tensor: String)

    public var description: String {
        switch self {
        case let .invalidConfig(field, reason): "invalid config: \(field): \(reason)"
        case let .shapeMismatch(what, expected, got): "\(what): expected \(expected), got \(got) values"
        case let .io(path, reason): "\(path): \(reason)"
        case let .badSafeTensors(path, reason): "\(path): not a valid safetensors file: \(reason)"
        case let .missingTensor(path, name): "\(path): missing tensor \"\(name)\""
        case let .badTensor(path, name, reason): "\(path): tensor \"\(name)\": \(reason)"
        case let .badMetadata(path, key, reason): "\(path): metadata \"\(key)\": \(reason)"
        case let .nonFiniteGradient(step, count):
            "non-finite gradient at step \(step): \(count) values are NaN or Inf; parameters left unchanged"
        case let .diverged(step, tensor):
            "the run diverged at step \(step): tensor \"\(tensor)\" became NaN or infinite"
        case let .nonFiniteState(path, tensor):
            "\(path): not written: tensor \"\(tensor)\" holds NaN or infinite values (the run diverged)"
        }
    }
}

/// A Foundation or POSIX error as a plain reason ("no such file or folder"), never an `NSCocoaErrorDomain … UserInfo=…`
/// dump; DRAW's own errors as their description.
public func plainReason(_ error: Error) -> String {
    // Only Foundation's own errors get translated; every Swift error would bridge to NSError too.
    guard error is CocoaError || type(of: error) is NSError.Type else {
        return (error as? CustomStringConvertible)?.description ?? "\(error)"
    }
    let ns = error as NSError
    let reason: String
    if let inner = ns.userInfo[NSUnderlyingErrorKey] as? Error, (inner as NSError).domain == NSPOSIXErrorDomain {
        reason = String(cString: strerror(Int32((inner as NSError).code)))
    } else if ns.domain == NSPOSIXErrorDomain {
        reason = String(cString: strerror(Int32(ns.code)))
    } else {
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: reason = "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: reason = "permission denied"
        case .fileWriteOutOfSpace: reason = "no space left on the device"
        case .fileWriteFileExists: reason = "a file of that name is in the way"
        case .fileReadCorruptFile: reason = "the file is corrupt"
        case .fileReadTooLarge: reason = "the file is too large"
        case .fileWriteInvalidFileName, .fileReadInvalidFileName: reason = "invalid file name"
        default: reason = ns.localizedFailureReason ?? "error \(ns.code)"
        }
    }
    return reason
}

/// `plainReason` with the path the error names, for errors that reach the top level unexplained.
public func plainMessage(_ error: Error) -> String {
    let reason = plainReason(error)
    guard error is CocoaError || type(of: error) is NSError.Type else { return reason }
    let ns = error as NSError
    let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    return path.map { "\($0): \(reason)" } ?? reason
}
