// DataOptions.swift: `--data` and the options that shape images, shared by train, reconstruct, attention and eval.
import ArgumentParser
import DRAWData
import Foundation

enum BinarizeMode: String, ExpressibleByArgument, CaseIterable {
    case none, threshold, stochastic
}

struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("""
        Images: 'faces' or 'faces:N' (N built-in procedural colour faces, default 10000, nothing to \
        download), 'fashion-mnist' or 'fashion-mnist:test' (Debian's dataset-fashion-mnist), an IDX file \
        (.gz or raw), a folder of PNG/JPEG images searched recursively, or 'celeba:FOLDER' (a folder holding \
        img_align_celeba/ is recognised too: 108x108 centre crop, area-resized to 64x64).
        """, valueName: "faces[:N]|fashion-mnist[:test]|file|folder|celeba:folder"))
    var data: String = "faces"

    @Option(help: "Images per channel: 1 (grey) or 3 (RGB). Default: 3 for faces and folders, 1 for IDX.")
    var channels: Int?

    @Option(help: "Image height the model works at; images are resized (area filter down, bilinear up). Default: the data's own (64 for faces; a folder's images' own when they all agree, else 64).")
    var height: Int?

    @Option(help: "Image width (see --height).")
    var width: Int?

    @Option(help: "Turn grey levels into 0/1 for the bce loss: none, threshold (> 0.5) or stochastic (seeded).")
    var binarize: BinarizeMode = .none

    @Option(help: "Background colour that transparent PNG pixels are composited on: white, black or #rrggbb.")
    var background: String = "white"

    @Option(help: "Use at most this many images (the first in file order).")
    var limit: Int?

    @Option(help: "Fraction of the images held out as the test split (seeded), used by eval and for pictures.")
    var testFraction: Double = 0.05

    func validate() throws {
        if let channels, channels != 1, channels != 3 {
            throw ValidationError("--channels must be 1 or 3 (got \(channels)).")
        }
        for (name, value) in [("--height", height), ("--width", width), ("--limit", limit)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1 (got \(value)).") }
        }
        guard testFraction >= 0, testFraction < 1 else {
            throw ValidationError("--test-fraction must be in [0, 1) (got \(testFraction)).")
        }
        _ = try backgroundColor()
    }

    func backgroundColor() throws -> Color {
        switch background.lowercased() {
        case "white": return .white
        case "black": return .black
        case let hex where hex.hasPrefix("#") && hex.count == 7:
            guard let v = UInt32(hex.dropFirst(), radix: 16) else { break }
            return Color(r: Float((v >> 16) & 255) / 255, g: Float((v >> 8) & 255) / 255, b: Float(v & 255) / 255)
        default: break
        }
        throw ValidationError("--background must be white, black or #rrggbb (got '\(background)').")
    }

    /// --binarize as the loaders take it; `seed` drives the stochastic draws.
    func binarization(seed: UInt64) -> Binarization {
        switch binarize {
        case .none: .none
        case .threshold: .threshold(0.5)
        case .stochastic: .stochastic(seed: seed &+ 0x5eed)
        }
    }

    /// The whole data set, loaded and shaped, with a one-line description for logs.
    /// `shape` forces channels × height × width (e.g. a checkpoint's); options given must then agree with it.
    func load(seed: UInt64, shape: (channels: Int, height: Int, width: Int)? = nil) throws -> (Dataset, String) {
        if let shape {
            for (name, given, needed) in [("--channels", channels, shape.channels), ("--height", height, shape.height),
                                          ("--width", width, shape.width)] {
                if let given, given != needed {
                    throw CLIError("\(name) \(given) does not match the model's \(needed)")
                }
            }
        }
        let binarization = binarization(seed: seed)
        let source = try DataSource.parse(data)
        var options = ImageOptions(channels: shape?.channels ?? channels ?? 3, height: shape?.height ?? height,
                                   width: shape?.width ?? width, background: try backgroundColor(),
                                   binarization: binarization)
        switch source {
        case .faces:
            // The colour post's size unless told otherwise.
            if options.height == nil, options.width == nil { options.height = 64; options.width = 64 }
        case .folder:
            break   // the images' own size when they all agree, else 64 × 64 (DataSource)
        case .fashionMNIST, .idx:
            if shape == nil, channels == nil { options.channels = 1 }
        case .celebA:
            break
        }
        let (set, summary) = try source.load(options: options, seed: seed, limit: limit)
        return (set, summary)
    }
}
