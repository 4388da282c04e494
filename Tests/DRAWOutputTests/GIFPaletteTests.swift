// GIFPaletteTests.swift: each GIF frame's own palette: grey stays exactly grey, colour stays within a few levels of the PNG.
import CGIF
import DRAWData
import DRAWOutput
import DRAWTestSupport
import Foundation
import Testing

/// Every frame of `path` decoded by giflib to interleaved RGB bytes, through the frame's own colour table.
func decodeGIF(_ path: String) throws -> [[UInt8]] {
    var error: Int32 = 0
    let gif = try #require(DGifOpenFileName(path, &error))
    defer { DGifCloseFile(gif, &error) }
    #expect(DGifSlurp(gif) == GIF_OK)
    let n = Int(gif.pointee.SWidth) * Int(gif.pointee.SHeight)
    return (0..<Int(gif.pointee.ImageCount)).map { k in
        let saved = gif.pointee.SavedImages[k]
        let map = (saved.ImageDesc.ColorMap ?? gif.pointee.SColorMap!).pointee.Colors!
        var out = [UInt8](repeating: 0, count: 3 * n)
        for i in 0..<n {
            let c = map[Int(saved.RasterBits[i])]
            (out[3 * i], out[3 * i + 1], out[3 * i + 2]) = (c.Red, c.Green, c.Blue)
        }
        return out
    }
}

/// What the PNG writer stores for `r`, as interleaved RGB bytes (grey replicated).
func pngBytes(_ r: Raster) -> [UInt8] { r.rgb().interleavedBytes() }

/// An attention-style frame: `count` faces side by side, enlarged 2×, a green and a red box on each.
func attentionFrame(channels: Int, count: Int = 4, size: Int = 48, seed: UInt64 = 3) throws -> Raster {
    let faces = try ProceduralFaces.generate(count: count, channels: channels, height: size, width: size, seed: seed)
    let cells = (0..<count).map { i -> Raster in
        var r = faces.image(i).rgb().upscaled(by: 2)
        r.strokeRectangle(x0: 10, y0: 12, x1: 40, y1: 50, lineWidth: 2, colour: .green)
        r.strokeRectangle(x0: 30, y0: 20, x1: 80, y1: 70, lineWidth: 1, colour: .red)
        return r
    }
    return try ImageGrid.make(cells, rows: 2, cols: (count + 1) / 2, padding: 2, padColour: .white)
}

@Suite struct GIFPaletteTests {
    /// A grey model's frames: 256 greys (a ramp over the whole frame) plus green and red boxes need 258 entries, so
    /// the palette is cut, and still every grey pixel decodes grey, within one level, and the boxes exactly.
    @Test func greyFramesStayGrey() throws {
        let dir = TempFolder()
        var frames: [Raster] = [try attentionFrame(channels: 1)]
        var ramp = Raster(channels: 1, height: 16, width: 64, pixels: (0..<1024).map { Float($0 % 256) / 255 }).rgb()
        ramp.strokeRectangle(x0: 2, y0: 2, x1: 20, y1: 14, colour: .green)
        ramp.strokeRectangle(x0: 30, y0: 3, x1: 60, y1: 12, colour: .red)
        frames.append(ramp.upscaled(by: 1))
        for (k, frame) in frames.enumerated() {
            let path = dir.file("grey-\(k).gif")
            try GIFWriter.write([frame], to: path, keep: [.green, .red, .white])
            let gif = try decodeGIF(path)[0], png = pngBytes(frame)
            var worst = 0, greys = 0, boxes = 0
            for i in 0..<(png.count / 3) {
                let p = Array(png[(3 * i)..<(3 * i + 3)]), g = Array(gif[(3 * i)..<(3 * i + 3)])
                if p[0] == p[1] && p[1] == p[2] {
                    greys += 1
                    #expect(g[0] == g[1] && g[1] == g[2], "frame \(k) pixel \(i): grey \(p) decoded as \(g)")
                    worst = max(worst, abs(Int(g[0]) - Int(p[0])))
                } else {
                    boxes += 1
                    #expect(g == p, "frame \(k) pixel \(i): box colour \(p) decoded as \(g)")
                }
            }
            print("grey GIF frame \(k): \(greys) grey pixels, worst grey error \(worst) of 255; \(boxes) box pixels exact")
            #expect(worst <= 1 && boxes > 0)
        }
        // A frame of exactly 256 greys and nothing else fits the palette: every level exact.
        let plain = Raster(channels: 1, height: 4, width: 64, pixels: (0..<256).map { Float($0) / 255 })
        try GIFWriter.write([plain], to: dir.file("ramp.gif"))
        #expect(try decodeGIF(dir.file("ramp.gif"))[0] == pngBytes(plain))
    }

    /// Colour faces with boxes (thousands of colours): mean absolute error against the PNG's bytes within 2 of 255,
    /// boxes and padding exact; the old fixed 6×7×6 cube is measured on the same frame for comparison.
    @Test func colourFramesStayCloseToThePNG() throws {
        let dir = TempFolder()
        let frame = try attentionFrame(channels: 3)
        let path = dir.file("colour.gif")
        try GIFWriter.write([frame], to: path, keep: [.green, .red, .white])
        let gif = try decodeGIF(path)[0], png = pngBytes(frame)
        var distinct = Set<Int>()
        for i in 0..<(png.count / 3) {
            let key: Int = (Int(png[3 * i]) << 16) | (Int(png[3 * i + 1]) << 8) | Int(png[3 * i + 2])
            distinct.insert(key)
        }
        let error = zip(gif, png).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        let mean = Double(error) / Double(png.count)
        let cube = png.enumerated().reduce(0) { sum, e in
            let top = e.offset % 3 == 1 ? 6 : 5
            let level = (Int(e.element) * top + 127) / 255
            return sum + abs(level * 255 / top - Int(e.element))
        }
        print("colour GIF: \(distinct.count) distinct colours, mean abs error \(mean) of 255 (fixed 6x7x6 cube: "
              + "\(Double(cube) / Double(png.count)))")
        #expect(distinct.count > 256 && mean < 2)
        for box in [Color.green, .red, .white] {
            let b = [box.r, box.g, box.b].map { UInt8(($0 * 255 + 0.5).rounded(.down)) }
            let at = (0..<(png.count / 3)).filter { Array(png[(3 * $0)..<(3 * $0 + 3)]) == b }
            #expect(!at.isEmpty && at.allSatisfy { Array(gif[(3 * $0)..<(3 * $0 + 3)]) == b }, "\(box) not exact")
        }
    }

    /// The palette on its own: 256 greys and two kept colours are 258 for 256 entries; the kept ones stay exact and
    /// the greys grey within one level. Up to 256 distinct colours come back exactly.
    @Test func paletteKeepsTheBudgetAndGreys() {
        var rgb: [UInt8] = []
        for v in 0..<256 { rgb += [UInt8(v), UInt8(v), UInt8(v)] }
        rgb += [255, 38, 26, 26, 217, 51]   // Color.red and Color.green as bytes
        let p = GIFPalette(rgb: rgb, keep: [.red, .green])
        #expect(p.colours.count == 256 && p.indices.count == 258)
        for v in 0..<256 {
            let c = p.colours[Int(p.indices[v])]
            #expect(c.0 == c.1 && c.1 == c.2 && abs(Int(c.0) - v) <= 1, "grey \(v) → \(c)")
        }
        #expect(p.colours[Int(p.indices[256])] == (255, 38, 26) && p.colours[Int(p.indices[257])] == (26, 217, 51))
        let small = GIFPalette(rgb: [1, 2, 3, 200, 100, 50, 1, 2, 3])
        #expect(small.colours.count == 2 && small.indices[0] == small.indices[2])
        #expect(small.colours[Int(small.indices[1])] == (200, 100, 50))
    }
}
