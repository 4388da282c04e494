// DecodedImage.swift: a decoded PNG/JPEG as interleaved samples, and its conversion to a planar grey or RGB raster.
/// A decoded file before conversion: `samples` is (height, width, channels) interleaved, floats in [0, 1]
/// (stored value / 255 or / 65535). channels: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.
public struct DecodedImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// Bits per sample as decoded: 8, or 16 for 16-bit PNGs (kept at full precision).
    public let bitDepth: Int
    public var samples: [Float]

    public init(width: Int, height: Int, channels: Int, bitDepth: Int, samples: [Float]) {
        precondition((1...4).contains(channels) && samples.count == width * height * channels, "bad decoded image")
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
        self.samples = samples
    }

    public var hasAlpha: Bool { channels == 2 || channels == 4 }

    /// The planar raster with `outChannels` (1 or 3). Alpha is composited over `background`:
    /// v = a · v + (1 − a) · background, in the stored (sRGB-encoded) values as viewers do.
    /// RGB → grey uses BT.601 luma; grey → RGB replicates.
    public func raster(channels outChannels: Int, background: Color = .white) -> Raster {
        precondition(outChannels == 1 || outChannels == 3, "raster channels \(outChannels)")
        let plane = width * height
        let colour = channels >= 3
        var out = [Float](repeating: 0, count: outChannels * plane)
        // Grey into grey composites on the background's luma; anything else on its RGB.
        let bg = colour || outChannels == 3 ? [background.r, background.g, background.b] : [background.luma]
        samples.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<plane {
                    let p = i * channels
                    var r: Float, g: Float, b: Float
                    if colour {
                        (r, g, b) = (s[p], s[p + 1], s[p + 2])
                    } else {
                        (r, g, b) = (s[p], s[p], s[p])
                    }
                    if hasAlpha {
                        let a = s[p + channels - 1]
                        if colour {
                            r = a * r + (1 - a) * bg[0]
                            g = a * g + (1 - a) * bg[1]
                            b = a * b + (1 - a) * bg[2]
                        } else if outChannels == 3 {
                            (r, g, b) = (a * r + (1 - a) * bg[0], a * r + (1 - a) * bg[1], a * r + (1 - a) * bg[2])
                        } else {
                            r = a * r + (1 - a) * bg[0]
                            (g, b) = (r, r)
                        }
                    }
                    if outChannels == 3 {
                        o[i] = r
                        o[plane + i] = g
                        o[2 * plane + i] = b
                    } else {
                        o[i] = colour ? 0.299 * r + 0.587 * g + 0.114 * b : r
                    }
                }
            }
        }
        return Raster(channels: outChannels, height: height, width: width, pixels: out)
    }
}
