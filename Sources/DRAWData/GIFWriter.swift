// GIFWriter.swift: animated GIFs through giflib (looping, fixed frame delay), frames quantised to a fixed palette.
import CGIF
import Glibc

/// Writes an animated GIF frame by frame: a NETSCAPE2.0 loop-forever block, then each frame with a graphics
/// control block holding the delay. giflib reports errors by return code (no longjmp), so it is called directly.
///
/// Palette (one global colour table, 256 entries): for `.grey` frames, 256 exact greys (value · 255 rounded);
/// for `.colour`, a fixed 6 × 7 × 6 RGB cube (levels 0, 51, ..., 255 for red and blue, 0, 42.5, ..., 255 for
/// green, which the eye separates best) plus 4 padding entries; each pixel takes the nearest level per channel
/// (no dithering, so flat regions stay flat and frames do not flicker). 1-channel frames in a colour GIF are
/// shown as grey.
///
/// Usage: `let gif = try GIFWriter(path:width:height:palette:delayCentiseconds:)`, `try gif.add(raster)` per
/// frame, `try gif.finish()`. A writer that is not finished closes its file on deinit but the GIF lacks its
/// trailer; call `finish()`.
public final class GIFWriter {
    public enum Palette: Sendable { case grey, colour }

    public let path: String
    public let width: Int
    public let height: Int
    public let palette: Palette
    /// Delay between frames in hundredths of a second.
    public let delayCentiseconds: Int
    public private(set) var frameCount = 0
    private var file: UnsafeMutablePointer<GifFileType>?
    private var indices: [GifPixelType]

    public init(path: String, width: Int, height: Int, palette: Palette = .colour, delayCentiseconds: Int = 10,
                loop: Bool = true) throws {
        guard width > 0, height > 0, width <= 65535, height <= 65535 else {
            throw DataError.invalidArgument("\(path): GIF size \(width)x\(height) is not within 1...65535")
        }
        guard (0...65535).contains(delayCentiseconds) else {
            throw DataError.invalidArgument("\(path): GIF delay \(delayCentiseconds) cs is not within 0...65535")
        }
        self.path = path
        self.width = width
        self.height = height
        self.palette = palette
        self.delayCentiseconds = delayCentiseconds
        indices = [GifPixelType](repeating: 0, count: width * height)
        var error: Int32 = 0
        // Our own descriptor: giflib's EGifOpenFileName creates files 0600, unreadable to anyone else.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw DataError.writeFailed(path: path, detail: String(cString: strerror(errno)))
        }
        guard let gif = EGifOpenFileHandle(fd, &error) else { close(fd); throw gifError(error, "cannot create") }
        file = gif
        EGifSetGifVersion(gif, true)
        let colours = GIFWriter.colourTable(palette)
        guard let map = GifMakeMapObject(256, colours) else {
            throw DataError.writeFailed(path: path, detail: "giflib: cannot make a colour map")
        }
        defer { GifFreeMapObject(map) }
        try check(EGifPutScreenDesc(gif, Int32(width), Int32(height), 8, 0, map), "screen descriptor")
        if loop {
            try check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), "loop block")
            let netscape = Array("NETSCAPE2.0".utf8)
            try check(EGifPutExtensionBlock(gif, Int32(netscape.count), netscape), "loop block")
            try check(EGifPutExtensionBlock(gif, 3, [1, 0, 0] as [UInt8]), "loop block")  // sub-block 1: 0 = forever
            try check(EGifPutExtensionTrailer(gif), "loop block")
        }
    }

    deinit {
        if let file {
            var error: Int32 = 0
            EGifCloseFile(file, &error)
        }
    }

    /// Adds one frame: a 1- or 3-channel raster of exactly width × height, values in [0, 1] (clamped).
    public func add(_ frame: Raster) throws {
        guard let gif = file else { throw DataError.writeFailed(path: path, detail: "GIF already finished") }
        guard frame.width == width, frame.height == height, frame.channels == 1 || frame.channels == 3 else {
            throw DataError.invalidArgument(
                "\(path): frame \(frame.channels)x\(frame.height)x\(frame.width) does not fit a \(width)x\(height) GIF")
        }
        quantise(frame)
        var gcb = GraphicsControlBlock(DisposalMode: DISPOSE_DO_NOT, UserInputFlag: false,
                                       DelayTime: Int32(delayCentiseconds), TransparentColor: NO_TRANSPARENT_COLOR)
        var block = [GifByteType](repeating: 0, count: 4)
        let n = EGifGCBToExtension(&gcb, &block)
        try check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, Int32(n), block), "frame \(frameCount) delay")
        try check(EGifPutImageDesc(gif, 0, 0, Int32(width), Int32(height), false, nil), "frame \(frameCount)")
        try indices.withUnsafeMutableBufferPointer { p in
            for y in 0..<height {
                try check(EGifPutLine(gif, p.baseAddress! + y * width, Int32(width)), "frame \(frameCount) row \(y)")
            }
        }
        frameCount += 1
    }

    /// Writes the trailer and closes the file. A GIF needs at least one frame.
    public func finish() throws {
        guard let gif = file else { return }
        file = nil
        var error: Int32 = 0
        if frameCount == 0 {
            EGifCloseFile(gif, &error)
            throw DataError.invalidArgument("\(path): a GIF needs at least one frame")
        }
        guard EGifCloseFile(gif, &error) == GIF_OK else { throw gifError(error, "closing") }
    }

    /// Writes `frames` (all the same size, 1 or 3 channels) as a looping GIF. The palette is grey when every
    /// frame has 1 channel, else colour.
    public static func write(_ frames: [Raster], to path: String, delayCentiseconds: Int = 10) throws {
        guard let first = frames.first else { throw DataError.invalidArgument("\(path): a GIF needs at least one frame") }
        let grey = frames.allSatisfy { $0.channels == 1 }
        let gif = try GIFWriter(path: path, width: first.width, height: first.height, palette: grey ? .grey : .colour,
                                delayCentiseconds: delayCentiseconds)
        for f in frames { try gif.add(f) }
        try gif.finish()
    }

    /// The 256 palette entries.
    static func colourTable(_ palette: Palette) -> [GifColorType] {
        var table = [GifColorType](repeating: GifColorType(Red: 0, Green: 0, Blue: 0), count: 256)
        switch palette {
        case .grey:
            for v in 0..<256 { table[v] = GifColorType(Red: UInt8(v), Green: UInt8(v), Blue: UInt8(v)) }
        case .colour:
            for r in 0..<6 {
                for g in 0..<7 {
                    for b in 0..<6 {
                        table[(r * 7 + g) * 6 + b] = GifColorType(Red: UInt8((r * 255 + 2) / 5),
                                                                  Green: UInt8((g * 255 + 3) / 6),
                                                                  Blue: UInt8((b * 255 + 2) / 5))
                    }
                }
            }
        }
        return table
    }

    /// Palette index of one colour (components in [0, 1]).
    public static func index(r: Float, g: Float, b: Float, palette: Palette) -> UInt8 {
        switch palette {
        case .grey: return Raster.byte(0.299 * r + 0.587 * g + 0.114 * b)
        case .colour:
            let ri = Int(level(r, 5)), gi = Int(level(g, 6)), bi = Int(level(b, 5))
            return UInt8((ri * 7 + gi) * 6 + bi)
        }
    }

    @inline(__always) private static func level(_ v: Float, _ top: Float) -> Float {
        guard v > 0 else { return 0 }
        return v >= 1 ? top : (v * top).rounded()
    }

    private func quantise(_ frame: Raster) {
        let plane = width * height
        frame.pixels.withUnsafeBufferPointer { p in
            for i in 0..<plane {
                let (r, g, b) = frame.channels == 3 ? (p[i], p[plane + i], p[2 * plane + i]) : (p[i], p[i], p[i])
                indices[i] = GIFWriter.index(r: r, g: g, b: b, palette: palette)
            }
        }
    }

    private func check(_ status: Int32, _ what: String) throws {
        guard status == GIF_OK else { throw gifError(file?.pointee.Error ?? 0, what) }
    }

    private func gifError(_ code: Int32, _ what: String) -> DataError {
        let text = GifErrorString(code).map { String(cString: $0) } ?? "giflib error \(code)"
        return .writeFailed(path: path, detail: "\(what): \(text)")
    }
}
