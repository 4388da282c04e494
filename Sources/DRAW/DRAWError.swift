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
