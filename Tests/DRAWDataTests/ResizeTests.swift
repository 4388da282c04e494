// ResizeTests.swift: area-average shrinking, bilinear enlarging, cropping and channel conversion on simple patterns.
import DRAWData
import Testing

@Suite struct ResizeTests {
    func close(_ a: [Float], _ b: [Float], _ tol: Float = 1e-6) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tol }
    }

    @Test func halvingAveragesTwoByTwoBlocks() {
        let r = pattern(channels: 2, height: 4, width: 4) { c, x, y in Float(c * 100 + y * 4 + x) }
        let half = r.resized(height: 2, width: 2)
        // Block (0,0) holds 0, 1, 4, 5 → 2.5; each block mean is its top-left + 2.5.
        #expect(close(half.pixels, [2.5, 4.5, 10.5, 12.5, 102.5, 104.5, 110.5, 112.5]))
    }

    @Test func nonIntegerShrinkWeighsByCoverage() {
        // 3 → 2: output 0 covers [0, 1.5): (v0 + 0.5 v1) / 1.5, output 1 covers [1.5, 3): (0.5 v1 + v2) / 1.5.
        let r = Raster(channels: 1, height: 1, width: 3, pixels: [3, 6, 9])
        #expect(close(r.resized(height: 1, width: 2).pixels, [4, 8]))
        // The mean of the image is kept by any area shrink.
        let big = pattern(channels: 1, height: 13, width: 17) { _, x, y in Float((x * 7 + y * 3) % 11) }
        let small = big.resized(height: 5, width: 6)
        let mean = { (p: [Float]) in p.reduce(0, +) / Float(p.count) }
        #expect(abs(mean(big.pixels) - mean(small.pixels)) < 1e-4)
    }

    @Test func bilinearUpscaleKeepsConstantsAndInterpolatesRamps() {
        let flat = Raster(height: 3, width: 2, fill: [0.25, 0.75])
        let up = flat.resized(height: 7, width: 5)
        #expect(up.pixels.prefix(35).allSatisfy { abs($0 - 0.25) < 1e-6 } && up.pixels.suffix(35).allSatisfy { abs($0 - 0.75) < 1e-6 })
        // Doubling [0, 1]: centres at −0.25, 0.25, 0.75, 1.25 → clamped 0, 0.25, 0.75, 1.
        let ramp = Raster(channels: 1, height: 1, width: 2, pixels: [0, 1])
        #expect(close(ramp.resized(height: 1, width: 4).pixels, [0, 0.25, 0.75, 1]))
    }

    @Test func mixedAxesShrinkOneAndGrowTheOther() {
        let r = pattern(channels: 1, height: 2, width: 4) { _, x, y in Float(x + 10 * y) }
        let out = r.resized(height: 4, width: 2)
        // Columns: area pairs (0.5, 2.5); rows: bilinear from 2 to 4 → weights 1, .75/.25, .25/.75, 1.
        #expect(close(out.pixels, [0.5, 2.5, 3, 5, 8, 10, 10.5, 12.5]))
        #expect(r.resized(height: 2, width: 4) == r)
    }

    @Test func centreCropGeometry() {
        let r = pattern(channels: 1, height: 218, width: 178) { _, x, y in Float(x * 1000 + y) }
        let crop = r.centreCropped(width: 108, height: 108)
        #expect(crop.width == 108 && crop.height == 108)
        #expect(crop[channel: 0, x: 0, y: 0] == 35_055 && crop[channel: 0, x: 107, y: 107] == 142_162)
        let odd = pattern(channels: 1, height: 5, width: 5) { _, x, y in Float(x + 5 * y) }
        #expect(odd.centreCropped(width: 2, height: 2).pixels == [6, 7, 11, 12])
    }

    @Test func channelConversionUsesBT601Luma() {
        let rgb = Raster(channels: 3, height: 1, width: 2, pixels: [1, 0, 0, 1, 0, 0.5])
        #expect(close(rgb.converted(toChannels: 1).pixels, [0.299, 0.587 + 0.057]))
        let grey = Raster(channels: 1, height: 1, width: 2, pixels: [0.1, 0.9])
        #expect(grey.converted(toChannels: 3).pixels == [0.1, 0.9, 0.1, 0.9, 0.1, 0.9])
        #expect(abs(Color(r: 0.2, g: 0.4, b: 0.6).luma - (0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6)) < 1e-7)
    }
}
