// GIFWriter.swift: animated GIFs through giflib (looping, fixed frame delay), each frame with a palette made for it.
import CGIF
import DRAWData
import Glibc

/// Writes an animated GIF frame by frame: a NETSCAPE2.0 loop-forever block, then each frame with a graphics
/// control block holding the delay. giflib reports errors by return code (no longjmp), so it is called directly.
///
/// Palette: each frame carries its own 256-entry colour table (`GIFPalette`): exact when the frame has at most
/// 256 distinct 8-bit colours (grey frames always keep their greys exactly), else median cut with the `keep`
/// colours (window boxes, padding) held exact. Pixels are rounded to 8 bits as the PNG writer rounds them, so a
/// GIF frame shows what the PNG of the same raster shows, or the nearest palette colour (no dithering, so flat
/// regions stay flat). 1-channel frames are grey.
///
/// Usage: `let gif = try GIFWriter(path:width:height:keep:delayCentiseconds:)`, `try gif.add(raster)` per
/// frame, `try gif.finish()`. A writer that is not finished closes its file on deinit but the GIF lacks its
/// trailer; call `finish()`.
public final class GIFWriter {
    public let path: String
    public let width: Int
    public let height: Int
    /// Colours every frame's palette holds exactly (when the frame needs more than 256).
    public let keep: [Color]
    /// Delay between frames in hundredths of a second.
    public let delayCentiseconds: Int
    public private(set) var frameCount = 0
    private var file: UnsafeMutablePointer<GifFileType>?
    private var indices: [GifPixelType]

    public init(path: String, width: Int, height: Int, keep: [Color] = [], delayCentiseconds: Int = 10,
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
        self.keep = keep
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
        // A grey ramp as the global table, for decoders that ignore local tables; every frame has its own.
        let ramp = (0..<256).map { GifColorType(Red: UInt8($0), Green: UInt8($0), Blue: UInt8($0)) }
        guard let map = GifMakeMapObject(256, ramp) else {
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
        let frameColours = GIFPalette(rgb: GIFWriter.rgbBytes(frame), keep: keep)
        indices = frameColours.indices
        var table = [GifColorType](repeating: GifColorType(Red: 0, Green: 0, Blue: 0), count: 256)
        for (i, c) in frameColours.colours.enumerated() { table[i] = GifColorType(Red: c.0, Green: c.1, Blue: c.2) }
        guard let map = GifMakeMapObject(256, table) else {
            throw DataError.writeFailed(path: path, detail: "giflib: cannot make frame \(frameCount)'s colour map")
        }
        defer { GifFreeMapObject(map) }
        var gcb = GraphicsControlBlock(DisposalMode: DISPOSE_DO_NOT, UserInputFlag: false,
                                       DelayTime: Int32(delayCentiseconds), TransparentColor: NO_TRANSPARENT_COLOR)
        var block = [GifByteType](repeating: 0, count: 4)
        let n = EGifGCBToExtension(&gcb, &block)
        try check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, Int32(n), block), "frame \(frameCount) delay")
        try check(EGifPutImageDesc(gif, 0, 0, Int32(width), Int32(height), false, map), "frame \(frameCount)")
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

    /// Writes `frames` (all the same size, 1 or 3 channels) as a looping GIF.
    public static func write(_ frames: [Raster], to path: String, keep: [Color] = [], delayCentiseconds: Int = 10) throws {
        guard let first = frames.first else { throw DataError.invalidArgument("\(path): a GIF needs at least one frame") }
        let gif = try GIFWriter(path: path, width: first.width, height: first.height, keep: keep,
                                delayCentiseconds: delayCentiseconds)
        for f in frames { try gif.add(f) }
        try gif.finish()
    }

    /// Interleaved (height·width, 3) 8-bit samples of a 1- or 3-channel frame, rounded as `PNGCodec.write` rounds.
    static func rgbBytes(_ frame: Raster) -> [UInt8] {
        let plane = frame.width * frame.height
        var out = [UInt8](repeating: 0, count: 3 * plane)
        frame.pixels.withUnsafeBufferPointer { p in
            for i in 0..<plane {
                for c in 0..<3 { out[3 * i + c] = Raster.byte(p[(frame.channels == 3 ? c * plane : 0) + i]) }
            }
        }
        return out
    }

    private func check(_ status: Int32, _ what: String) throws {
        guard status == GIF_OK else { throw gifError(file?.pointee.Error ?? 0, what) }
    }

    private func gifError(_ code: Int32, _ what: String) -> DataError {
        let text = GifErrorString(code).map { String(cString: $0) } ?? "giflib error \(code)"
        return .writeFailed(path: path, detail: "\(what): \(text)")
    }
}
