// JPEGCodec.swift: read JPEGs (grey, RGB, CMYK) and write 8-bit grey/RGB JPEGs through libjpeg.
import CImageShims

/// JPEG through libjpeg(-turbo)'s classic API, via CImageShims: its `error_exit` longjmps back into the C glue
/// (Swift cannot), so a corrupt file is a thrown `DataError`, not `exit()`. A premature end of file, which libjpeg
/// only warns about (padding the image with grey), is treated as `truncated`.
public enum JPEGCodec {
    /// Decodes `path` to 8-bit grey (greyscale files) or RGB (everything else).
    public static func read(_ path: String, maxBytes: Int = defaultMaxImageBytes) throws -> DecodedImage {
        try ImageShim.read(path: path, maxBytes: maxBytes) { limit, info, buffer, msg, cap in
            cis_jpeg_read(path, limit, info, buffer, msg, cap)
        }
    }

    /// Writes `raster` (1 or 3 channels) as a baseline JPEG at `quality` (1…100).
    public static func write(_ raster: Raster, to path: String, quality: Int = 95) throws {
        guard raster.channels == 1 || raster.channels == 3 else {
            throw DataError.invalidArgument("\(path): JPEG output needs 1 or 3 channels, got \(raster.channels)")
        }
        let bytes = raster.interleavedBytes()
        try ImageShim.check(path: path) { msg, cap in
            cis_jpeg_write(path, bytes, UInt32(raster.width), UInt32(raster.height), Int32(raster.channels),
                           Int32(quality), msg, cap)
        }
    }
}
