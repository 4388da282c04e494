// ImageGrid.swift: tiling images into one picture (rows × cols with padding lines) and writing it as a PNG.
import DRAWData

/// A grid of equally sized images, for sample sheets and reconstructions.
public enum ImageGrid {
    /// Tiles `images` (all the same C, H, W) row by row into `rows` × `cols` cells, with `padding` pixels of
    /// `padColour` between cells and around the border. Cells past the last image stay `padColour`.
    /// `scale` > 1 enlarges each image by pixel repetition first. Output has the images' channel count.
    public static func make(_ images: [Raster], rows: Int, cols: Int, padding: Int = 1, padColour: Color = .white,
                            scale: Int = 1) throws -> Raster {
        guard let first = images.first else { throw DataError.invalidArgument("image grid: no images") }
        guard rows > 0, cols > 0, padding >= 0, scale >= 1 else {
            throw DataError.invalidArgument("image grid: rows \(rows), cols \(cols), padding \(padding), scale \(scale)")
        }
        for r in images where r.channels != first.channels || r.height != first.height || r.width != first.width {
            throw DataError.invalidArgument(
                "image grid: image \(r.channels)x\(r.height)x\(r.width) differs from \(first.channels)x\(first.height)x\(first.width)")
        }
        let (h, w) = (first.height * scale, first.width * scale)
        let gridH = rows * h + (rows + 1) * padding, gridW = cols * w + (cols + 1) * padding
        let fill = first.channels == 3 ? [padColour.r, padColour.g, padColour.b]
            : Array(repeating: padColour.luma, count: first.channels)
        var grid = Raster(height: gridH, width: gridW, fill: fill)
        for (k, image) in images.prefix(rows * cols).enumerated() {
            let cell = image.upscaled(by: scale)
            let oy = padding + (k / cols) * (h + padding), ox = padding + (k % cols) * (w + padding)
            for c in 0..<cell.channels {
                for y in 0..<h {
                    for x in 0..<w { grid[channel: c, x: ox + x, y: oy + y] = cell[channel: c, x: x, y: y] }
                }
            }
        }
        return grid
    }

    /// A grid of the first rows · cols images of planar `images` (N, C, H, W).
    public static func make(_ dataset: Dataset, rows: Int, cols: Int, padding: Int = 1, padColour: Color = .white,
                            scale: Int = 1) throws -> Raster {
        let n = min(dataset.count, rows * cols)
        return try make((0..<n).map(dataset.image), rows: rows, cols: cols, padding: padding, padColour: padColour,
                        scale: scale)
    }

    /// A grid of images given as one planar float array (N, C, H, W), as the model returns them.
    public static func make(planar images: [Float], count: Int, channels: Int, height: Int, width: Int,
                            rows: Int, cols: Int, padding: Int = 1, padColour: Color = .white,
                            scale: Int = 1) throws -> Raster {
        guard count > 0, images.count == count * channels * height * width else {
            throw DataError.invalidArgument("image grid: \(images.count) floats for \(count)x\(channels)x\(height)x\(width)")
        }
        return try make(Dataset(count: count, channels: channels, height: height, width: width, images: images),
                        rows: rows, cols: cols, padding: padding, padColour: padColour, scale: scale)
    }
}

extension Raster {
    /// Writes this raster as an 8-bit grey (1 channel) or RGB (3 channels) PNG; see `PNGCodec.write`.
    public func writePNG(to path: String) throws { try PNGCodec.write(self, to: path) }
}
