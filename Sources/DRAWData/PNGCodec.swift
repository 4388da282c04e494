// PNGCodec.swift: read any PNG (palette, tRNS, grey+alpha, RGBA, 1…16 bits) and write 8-bit grey/RGB PNGs.
import CImageShims

/// PNG colour types, as the PNG specification numbers them.
public enum PNGColorType: Int32, Sendable {
    case grey = 0, rgb = 2, palette = 3, greyAlpha = 4, rgba = 6

    /// Samples per pixel in the unpacked data `PNGCodec.writeSamples` takes.
    public var samplesPerPixel: Int {
        switch self {
        case .grey, .palette: return 1
        case .greyAlpha: return 2
        case .rgb: return 3
        case .rgba: return 4
        }
    }
}

/// PNG through libpng's full API (via CImageShims, which catches libpng's longjmp errors).
///
/// Reading keeps samples as stored: no gamma or ICC transform (a file's 0.5 is 0.5, as in the fixtures'
/// "pixels = value/255"), 16-bit precision kept. libpng's simplified `png_image` API was not used because it
/// converts 16-bit data to linear light and applies gAMA, which would change the values the model sees.
public enum PNGCodec {
    /// Decodes `path`. Palette → RGB, tRNS → alpha, grey below 8 bits → 8 bits, 16 bits kept.
    /// Throws `DataError` (unreadable, badMagic, truncated, tooLarge, decodeFailed) naming the file.
    public static func read(_ path: String, maxBytes: Int = defaultMaxImageBytes) throws -> DecodedImage {
        try ImageShim.read(path: path, maxBytes: maxBytes) { limit, info, buffer, msg, cap in
            cis_png_read(path, limit, info, buffer, msg, cap)
        }
    }

    /// Writes `raster` (1 channel → 8-bit grey, 3 → 8-bit RGB), values clamped to [0, 1] and rounded (v · 255).
    public static func write(_ raster: Raster, to path: String) throws {
        guard raster.channels == 1 || raster.channels == 3 else {
            throw DataError.invalidArgument("\(path): PNG output needs 1 or 3 channels, got \(raster.channels)")
        }
        try writeSamples(raster.interleavedBytes(), width: raster.width, height: raster.height, bitDepth: 8,
                         colorType: raster.channels == 1 ? .grey : .rgb, to: path)
    }

    /// Writes unpacked 8-bit-or-less samples (height, width, samplesPerPixel), one byte per sample with values
    /// 0 ... 2^bitDepth − 1 (palette indices for `.palette`). `palette` is RGB triples; `transparency` is the
    /// palette's alpha values, or the transparent colour's 1 or 3 sample values for grey / RGB.
    public static func writeSamples(_ samples: [UInt8], width: Int, height: Int, bitDepth: Int,
                                    colorType: PNGColorType, palette: [UInt8]? = nil, transparency: [UInt8]? = nil,
                                    interlaced: Bool = false, to path: String) throws {
        guard bitDepth <= 8 else { throw DataError.invalidArgument("\(path): 8-bit samples for bit depth \(bitDepth)") }
        try checkCount(samples.count, width: width, height: height, colorType: colorType, path: path)
        try samples.withUnsafeBytes { raw in
            try write(raw.baseAddress!, width: width, height: height, bitDepth: bitDepth, colorType: colorType,
                      palette: palette, transparency: transparency, interlaced: interlaced, path: path)
        }
    }

    /// Writes 16-bit samples (height, width, samplesPerPixel) for `.grey`, `.rgb`, `.greyAlpha` or `.rgba`.
    public static func writeSamples16(_ samples: [UInt16], width: Int, height: Int, colorType: PNGColorType,
                                      interlaced: Bool = false, to path: String) throws {
        try checkCount(samples.count, width: width, height: height, colorType: colorType, path: path)
        try samples.withUnsafeBytes { raw in
            try write(raw.baseAddress!, width: width, height: height, bitDepth: 16, colorType: colorType,
                      palette: nil, transparency: nil, interlaced: interlaced, path: path)
        }
    }

    private static func checkCount(_ n: Int, width: Int, height: Int, colorType: PNGColorType, path: String) throws {
        guard width > 0, height > 0, width <= Int(UInt32.max), height <= Int(UInt32.max) else {
            throw DataError.zeroSize(path: path)
        }
        guard n == width * height * colorType.samplesPerPixel else {
            throw DataError.invalidArgument("\(path): \(n) samples for \(width)x\(height) \(colorType)")
        }
    }

    private static func write(_ pixels: UnsafeRawPointer, width: Int, height: Int, bitDepth: Int,
                              colorType: PNGColorType, palette: [UInt8]?, transparency: [UInt8]?,
                              interlaced: Bool, path: String) throws {
        if let palette, palette.count % 3 != 0 {
            throw DataError.invalidArgument("\(path): palette has \(palette.count) bytes, not RGB triples")
        }
        try ImageShim.check(path: path) { msg, cap in
            let pal = palette ?? []
            let trns = transparency ?? []
            return pal.withUnsafeBufferPointer { p in
                trns.withUnsafeBufferPointer { t in
                    cis_png_write(path, pixels, UInt32(width), UInt32(height), Int32(bitDepth), colorType.rawValue,
                                  palette == nil ? nil : p.baseAddress, Int32(pal.count / 3),
                                  transparency == nil ? nil : t.baseAddress, Int32(trns.count),
                                  interlaced ? 1 : 0, msg, cap)
                }
            }
        }
    }
}
