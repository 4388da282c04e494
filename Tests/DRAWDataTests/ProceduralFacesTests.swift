// ProceduralFacesTests.swift: the built-in faces are deterministic per seed, in [0, 1], varied, and smooth.
import DRAWData
import DRAWOutput
import DRAWTestSupport
import Testing

@Suite struct ProceduralFacesTests {
    @Test func sameSeedSameImagesAndInRange() throws {
        let a = try ProceduralFaces.generate(count: 16, channels: 3, height: 24, width: 20, seed: 77)
        let b = try ProceduralFaces.generate(count: 16, channels: 3, height: 24, width: 20, seed: 77)
        #expect(a == b && a.count == 16 && a.channels == 3 && a.height == 24 && a.width == 20)
        #expect(a.images.allSatisfy { $0 >= 0 && $0 <= 1 })
        let c = try ProceduralFaces.generate(count: 16, channels: 3, height: 24, width: 20, seed: 78)
        #expect(c.images != a.images)
        // Image i depends only on (seed, i): a shorter set is a prefix.
        #expect(try ProceduralFaces.generate(count: 3, channels: 3, height: 24, width: 20, seed: 77) == a.prefix(3))
    }

    @Test func greyIsTheLumaOfTheColourFaces() throws {
        let rgb = try ProceduralFaces.generate(count: 4, channels: 3, height: 16, width: 16, seed: 5)
        let grey = try ProceduralFaces.generate(count: 4, channels: 1, height: 16, width: 16, seed: 5)
        for i in 0..<4 { #expect(grey.image(i) == rgb.image(i).converted(toChannels: 1)) }
    }

    @Test func imagesAreVariedButSmooth() throws {
        let set = try ProceduralFaces.generate(count: 32, channels: 3, height: 32, width: 32, seed: 1)
        // Varied: every pair of images differs clearly.
        var minDistance = Float.infinity
        for i in 0..<32 {
            for j in (i + 1)..<32 {
                let d = zip(set.image(i).pixels, set.image(j).pixels).map { abs($0 - $1) }.reduce(0, +) / Float(set.imageSize)
                minDistance = min(minDistance, d)
            }
        }
        #expect(minDistance > 0.02, "closest pair differs by \(minDistance) per value")
        // Smooth: most neighbouring pixels are close (flat regions with anti-aliased edges, no noise).
        var small = 0, total = 0
        for i in 0..<32 {
            let r = set.image(i)
            for c in 0..<3 { for y in 0..<32 { for x in 1..<32 {
                total += 1
                if abs(r[channel: c, x: x, y: y] - r[channel: c, x: x - 1, y: y]) < 0.02 { small += 1 }
            } } }
        }
        #expect(Double(small) / Double(total) > 0.8, "\(small) of \(total) horizontal steps are small")
        // A face: the centre pixel is covered by the skin ellipse, so it differs from the top-left background.
        let centreDiffers = (0..<32).filter { i in
            let r = set.image(i)
            return (0..<3).contains { abs(r[channel: $0, x: 16, y: 17] - r[channel: $0, x: 0, y: 0]) > 0.05 }
        }.count
        #expect(centreDiffers >= 28)
    }

    @Test func badArgumentsAreRejected() {
        expectDataError("channels") { _ = try ProceduralFaces.generate(count: 1, channels: 2, seed: 0) }
        expectDataError("count") { _ = try ProceduralFaces.generate(count: 0, seed: 0) }
        expectDataError("size") { _ = try ProceduralFaces.generate(count: 1, height: 2, width: 64, seed: 0) }
    }

    @Test func sampleSheetWritesAsPNG() throws {
        let set = try ProceduralFaces.generate(count: 12, channels: 3, height: 32, width: 32, seed: 3)
        let dir = TempFolder()
        let path = dir.file("faces.png")
        try ImageGrid.make(set, rows: 3, cols: 4, padding: 2).writePNG(to: path)
        let back = try PNGCodec.read(path)
        #expect(back.width == 4 * 32 + 5 * 2 && back.height == 3 * 32 + 4 * 2 && back.channels == 3)
    }
}
