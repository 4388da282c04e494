// DataOptions.swift: `--data` and the options that shape images, shared by train, reconstruct, attention and eval.
import ArgumentParser
import DRAW
import DRAWData
import Foundation

enum BinarizeMode: String, ExpressibleByArgument, CaseIterable {
    case none, threshold, stochastic
}

struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: ArgumentHelp("""
        Images: 'faces' or 'faces:N' (N built-in procedural colour faces, default \(ProceduralFaces.defaultCount), nothing to \
        download), 'fashion-mnist' or 'fashion-mnist:test' (Debian's dataset-fashion-mnist), an IDX file \
        (.gz or raw), a folder of PNG/JPEG images searched recursively, or 'celeba:FOLDER' (a folder holding \
        img_align_celeba/ is recognised too: 108x108 centre crop, area-resized to 64x64).
        Default: faces.
        """, valueName: "faces[:N]|fashion-mnist[:test]|file|folder|celeba:folder"))
    var dataOption: String?
    /// nil when not given on the command line (a resumed run then takes the saved value); the default otherwise.
    var data: String { get { dataOption ?? "faces" } set { dataOption = newValue } }

    @Option(help: "Images per channel: 1 (grey) or 3 (RGB). Default: 3 for faces and folders, 1 for IDX.")
    var channels: Int?

    @Option(help: "Image height the model works at; images are resized (area filter down, bilinear up). Default: the data's own (\(ProceduralFaces.defaultSide) for faces; a folder's images' own when they all agree, else 64).")
    var height: Int?

    @Option(help: "Image width (see --height).")
    var width: Int?

    @Option(name: .customLong("binarize"),
            help: "Turn grey levels into 0/1 for the bce loss: none (default), threshold (> 0.5) or stochastic (seeded).")
    var binarizeOption: BinarizeMode?
    var binarize: BinarizeMode { get { binarizeOption ?? .none } set { binarizeOption = newValue } }

    @Option(name: .customLong("background"),
            help: "Background colour that transparent PNG pixels are composited on: white (default), black or #rrggbb.")
    var backgroundOption: String?
    var background: String { get { backgroundOption ?? "white" } set { backgroundOption = newValue } }

    @Option(help: "Use at most this many images (the first in file order).")
    var limit: Int?

    @Option(name: .customLong("test-fraction"),
            help: "Fraction of the images held out as the test split (seeded), used for validation, eval and pictures. Default: 0.05.")
    var testFractionOption: Double?
    var testFraction: Double { get { testFractionOption ?? 0.05 } set { testFractionOption = newValue } }

    func validate() throws {
        if let channels, channels != 1, channels != 3 {
            throw ValidationError("--channels must be 1 or 3 (got \(channels)).")
        }
        for (name, value, most) in [("--height", height, Self.maxSide), ("--width", width, Self.maxSide),
                                    ("--limit", limit, Self.maxImages)] {
            if let value, value < 1 || value > most {
                throw ValidationError("\(name) must be in 1...\(most) (got \(value)).")
            }
        }
        guard testFraction >= 0, testFraction < 1 else {
            throw ValidationError("--test-fraction must be in [0, 1) (got \(testFraction)).")
        }
        _ = try backgroundColor()
    }

    /// The largest image side and image count the options accept (the memory check refines this per machine).
    static let maxSide = 8192, maxImages = 100_000_000

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
    /// `memoryLimit` (bytes) refuses, before loading, a data set whose float copy would not fit.
    func load(seed: UInt64, shape: (channels: Int, height: Int, width: Int)? = nil,
              memoryLimit: Int = Int(ProcessInfo.processInfo.physicalMemory)) throws -> (Dataset, String) {
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
        if case let .faces(count) = source {
            let n = min(count, limit ?? count)
            let bytes = DRAWConfig.checked([n, options.channels, options.height ?? 32, options.width ?? 32, 4])
            if bytes > memoryLimit {
                throw CLIError(String(format: "%lld faces of %lldx%lldx%lld need about %.1f GiB as floats, more than the %.1f GiB allowed; use fewer (faces:N or --limit)",
                                      n, options.channels, options.height ?? 32, options.width ?? 32,
                                      Double(bytes) / 1073741824, Double(memoryLimit) / 1073741824))
            }
        }
        let (set, summary) = try source.load(options: options, seed: seed, limit: limit)
        return (set, summary)
    }
}
