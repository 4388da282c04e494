// PicturesTests.swift: output pictures: grids, rectangles and dots, GIFs decoded back with giflib, SVG plots, progress lines.
import CGIF
import DRAWData
import DRAWOutput
import DRAWTestSupport
import Foundation
import Testing

@Suite struct PicturesTests {
    @Test func gridPlacesImagesWithPadding() throws {
        let images = (0..<3).map { Raster(height: 2, width: 3, fill: [Float($0 * 51) / 255]) }
        let grid = try ImageGrid.make(images, rows: 2, cols: 2, padding: 1, padColour: .white)
        #expect(grid.channels == 1 && grid.height == 2 * 2 + 3 && grid.width == 2 * 3 + 3)
        #expect(grid[channel: 0, x: 0, y: 0] == 1 && grid[channel: 0, x: 1, y: 1] == 0)
        #expect(grid[channel: 0, x: 5, y: 2] == 51 / 255 && grid[channel: 0, x: 4, y: 2] == 1)  // second cell, padding column
        #expect(grid[channel: 0, x: 1, y: 4] == 102 / 255 && grid[channel: 0, x: 5, y: 4] == 1)  // third cell; fourth is empty
        let planar = try ImageGrid.make(planar: [0, 1, 0, 1, 1, 1], count: 2, channels: 3, height: 1, width: 1,
                                        rows: 1, cols: 2, padding: 0, scale: 2)
        #expect(planar.width == 4 && planar.height == 2 && planar[channel: 1, x: 1, y: 1] == 1 && planar[channel: 0, x: 0, y: 0] == 0)
        let dir = TempFolder()
        try grid.writePNG(to: dir.file("grid.png"))
        #expect(try PNGCodec.read(dir.file("grid.png")).raster(channels: 1) == grid)
        #expect { _ = try ImageGrid.make([images[0], Raster(height: 3, width: 3, fill: [0])], rows: 1, cols: 2) } throws: {
            ($0 as? DataError)?.description.contains("differs") == true
        }
    }

    @Test func rectangleOutlineHasTheLineWidthAndClips() {
        var r = Raster(height: 10, width: 10, fill: [0, 0, 0])
        r.strokeRectangle(x0: 2, y0: 3, x1: 8, y1: 9, lineWidth: 2, colour: .red)
        func isRed(_ x: Int, _ y: Int) -> Bool { r[channel: 0, x: x, y: y] == Color.red.r && r[channel: 2, x: x, y: y] == Color.red.b }
        #expect(isRed(2, 3) && isRed(3, 4) && isRed(7, 8) && isRed(5, 3) && isRed(5, 4) && isRed(2, 6) && isRed(7, 6))
        #expect(!isRed(4, 5) && !isRed(5, 6) && !isRed(1, 3) && !isRed(8, 8) && !isRed(5, 2) && !isRed(5, 9))
        var grey = Raster(height: 4, width: 4, fill: [0])
        grey.strokeRectangle(x0: -10, y0: 1, x1: 2, y1: 20, colour: .white)  // mostly outside: only the right edge and top show
        #expect(grey.pixels == [0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0])
        var far = Raster(height: 4, width: 4, fill: [0])  // corners no Int holds: the same picture, no trap
        far.strokeRectangle(x0: -1e30, y0: 1, x1: 2, y1: 3e38, colour: .white)
        #expect(far.pixels == grey.pixels)
    }

    @Test func dotsAreFilledAndClipped() {
        var r = Raster(height: 5, width: 5, fill: [0])
        r.drawDot(x: 2.4, y: 2.9, radius: 1, colour: .white, round: false)
        #expect(r.pixels.reduce(0, +) == 9 && r[channel: 0, x: 1, y: 1] == 1 && r[channel: 0, x: 3, y: 3] == 1)
        var round = Raster(height: 7, width: 7, fill: [0])
        round.drawDot(x: 3, y: 3, radius: 2, colour: .white)
        #expect(round.pixels.reduce(0, +) == 21 && round[channel: 0, x: 1, y: 1] == 0)
        var edge = Raster(height: 3, width: 3, fill: [0])
        edge.drawDot(x: 0, y: 0, radius: 1, colour: .white, round: false)
        #expect(edge.pixels.reduce(0, +) == 4)
    }

    /// Decodes `path` with giflib's DGifSlurp: (frames, width, height, colour of frame k's pixel 0, delay of frame 0, loops).
    func slurp(_ path: String) throws -> (frames: Int, width: Int, height: Int, firstPixel: [[UInt8]], delay: Int, loops: Bool) {
        var error: Int32 = 0
        let gif = try #require(DGifOpenFileName(path, &error))
        defer { DGifCloseFile(gif, &error) }
        #expect(DGifSlurp(gif) == GIF_OK)
        let n = Int(gif.pointee.ImageCount)
        var first: [[UInt8]] = []
        for k in 0..<n {
            let saved = gif.pointee.SavedImages[k]
            let map = (saved.ImageDesc.ColorMap ?? gif.pointee.SColorMap!).pointee.Colors!   // the frame's own table
            let c = map[Int(saved.RasterBits[0])]
            first.append([c.Red, c.Green, c.Blue])
        }
        var gcb = GraphicsControlBlock()
        DGifSavedExtensionToGCB(gif, 0, &gcb)
        var loops = false
        let saved = gif.pointee.SavedImages[0]
        for e in 0..<Int(saved.ExtensionBlockCount) where saved.ExtensionBlocks[e].Function == APPLICATION_EXT_FUNC_CODE {
            loops = true
        }
        return (n, Int(gif.pointee.SWidth), Int(gif.pointee.SHeight), first, Int(gcb.DelayTime), loops)
    }

    @Test func colourGIFDecodesWithGiflib() throws {
        let dir = TempFolder()
        let path = dir.file("anim.gif")
        let frames = (0..<5).map { k in
            var r = Raster(height: 6, width: 9, fill: [Float(k) / 4, 0.5, 1 - Float(k) / 4])
            r.strokeRectangle(x0: 1, y0: 1, x1: 8, y1: 5, colour: .red)
            return r
        }
        try GIFWriter.write(frames, to: path, delayCentiseconds: 7)
        let gif = try slurp(path)
        #expect(gif.frames == 5 && gif.width == 9 && gif.height == 6 && gif.delay == 7 && gif.loops)
        // Pixel 0: (k/4, 0.5, 1 − k/4) exactly as the PNG writer rounds it (two colours per frame fit a palette).
        #expect(gif.firstPixel[0] == [0, 128, 255] && gif.firstPixel[4] == [255, 128, 0])
        #expect(gif.firstPixel[1] == [64, 128, 191] && gif.firstPixel[2] == [128, 128, 128])
    }

    @Test func greyGIFKeepsEveryLevel() throws {
        let dir = TempFolder()
        let path = dir.file("grey.gif")
        let gif = try GIFWriter(path: path, width: 2, height: 1)
        for v: Float in [0, 0.2, 1] { try gif.add(Raster(channels: 1, height: 1, width: 2, pixels: [v, 1 - v])) }
        try gif.finish()
        #expect(gif.frameCount == 3)
        let back = try slurp(path)
        #expect(back.frames == 3 && back.firstPixel.map { $0[0] } == [0, 51, 255])
        #expect { try GIFWriter(path: dir.file("x.gif"), width: 3, height: 3).add(Raster(height: 2, width: 2, fill: [0])) } throws: {
            ($0 as? DataError)?.description.contains("does not fit") == true
        }
    }

    @Test func lossPlotIsAnSVGWithThreeLinesAndTicks() throws {
        let its = Array(stride(from: 0, through: 1000, by: 100))
        let plot = LossPlot.training(iterations: its, recon: its.map { 500 - 0.3 * Double($0) },
                                     kl: its.map { _ in 20 }, total: its.map { 520 - 0.3 * Double($0) })
        let svg = plot.svg()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count == 4)
        #expect(svg.contains(">1000<") && svg.contains(">500<") && svg.contains(">recon<") && svg.contains(">KL<"))
        #expect(LossPlot.ticks(0, 520) == [0, 100, 200, 300, 400, 500, 600])
        let small = LossPlot.ticks(0.013, 0.07)
        #expect(small.count == 7 && zip(small, [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07]).allSatisfy { abs($0 - $1) < 1e-12 })
        let dir = TempFolder()
        try plot.write(to: dir.file("loss.svg"))
        #expect(readBytes(dir.file("loss.svg")).count == svg.utf8.count)
    }

    @Test func progressBarLinesAndPlainOutput() {
        let line = ProgressBar.line(done: 25, total: 100, label: "train", loss: 12.3456, images: 2500, elapsed: 10, barWidth: 8)
        #expect(line == "train  [##......]   25.0%  25/100  loss 12.346  250 img/s  ETA 0:00:30")
        #expect(ProgressBar.duration(3725) == "1:02:05")
        // A run resumed at step 60 that ran 10 steps in 20 s has 30 to go at 2 s each, not 30 at 70 steps' rate.
        let resumed = ProgressBar.line(done: 70, first: 60, total: 100, label: "", loss: nil, images: nil, elapsed: 20,
                                       barWidth: 0)
        #expect(resumed == " 70.0%  70/100  ETA 0:01:00")
        #expect(!ProgressBar.line(done: 60, first: 60, total: 100, label: "", loss: nil, images: nil, elapsed: 1,
                                  barWidth: 0).contains("ETA"), "no rate yet, no ETA")
        var lines: [String] = []
        let bar = ProgressBar(total: 3, isTerminal: false) { lines.append($0) }
        bar.plainInterval = 1e9
        for i in 1...3 { bar.update(i, loss: 1) }
        #expect(lines.count == 2 && lines.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
        var tty: [String] = []
        let live = ProgressBar(total: 2, isTerminal: true) { tty.append($0) }
        live.redrawInterval = 0
        live.update(1)
        live.update(2)
        #expect(tty.first!.hasPrefix("\r") && tty.last == "\n" && tty.count == 3)
    }
}

/// giflib's own file opener makes 0600 files; the GIF writer's must be readable by others like every output.
@Test func gifFilesAreWorldReadable() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("perm-\(getpid()).gif").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try GIFWriter.write([Raster(height: 4, width: 4, fill: [0.2, 0.4, 0.6])], to: path)
    let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    #expect(mode & 0o044 == 0o044, "mode \(String(mode, radix: 8))")
}
