// ProceduralFaces.swift: a built-in colour dataset needing no files: seeded cartoon faces at any size.
import Dispatch

/// Simple coloured faces drawn from a seed, for trying colour DRAW without downloading anything.
///
/// Each image, back to front: a vertical two-colour gradient background (muted random colours); hair (80 %
/// of faces) as an ellipse behind the top of the head in black, brown, blond, auburn or grey; the face, an
/// ellipse of a skin tone between light and dark; two eyes (white ellipse with a coloured iris); a mouth
/// (red-pink ellipse). Positions, sizes and colours are jittered. Edges are anti-aliased over one pixel, so
/// images are smooth (no noise) and a small DRAW model learns them in minutes; shapes are defined in
/// relative coordinates, so any height × width gives the same faces.
///
/// Image i depends only on (seed, i): `SplitMix64(seed: seed, stream: i)`. Channels 3 are RGB; 1 is BT.601
/// luma of the RGB image. Values are in [0, 1].
public enum ProceduralFaces {
    /// The side of the square faces wherever no size is asked for (`--data faces`, `draw train`, `draw demo`).
    public static let defaultSide = 32
    /// How many faces `faces` without `:N` means.
    public static let defaultCount = 10_000

    /// `count` faces of `channels` (1 or 3) × `height` × `width`; images and generation are deterministic.
    public static func generate(count: Int, channels: Int = 3, height: Int = defaultSide, width: Int = defaultSide,
                                seed: UInt64) throws -> Dataset {
        guard count > 0 else { throw DataError.invalidArgument("procedural faces: count must be positive, got \(count)") }
        guard channels == 1 || channels == 3 else {
            throw DataError.invalidArgument("procedural faces: channels must be 1 or 3, got \(channels)")
        }
        guard height >= 4, width >= 4, height <= 4096, width <= 4096 else {
            throw DataError.invalidArgument("procedural faces: size \(width)x\(height) is not within 4...4096")
        }
        let size = channels * height * width
        var images = [Float](repeating: 0, count: count * size)
        images.withUnsafeMutableBufferPointer { buffer in
            let base = SendablePointer(buffer.baseAddress!)
            let workers = min(count, 16)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for i in stride(from: w, to: count, by: workers) {
                    var rgb = face(index: i, seed: seed, height: height, width: width)
                    if channels == 1 { rgb = rgb.converted(toChannels: 1) }
                    rgb.pixels.withUnsafeBufferPointer { (base.pointer + i * size).update(from: $0.baseAddress!, count: size) }
                }
            }
        }
        return Dataset(count: count, channels: channels, height: height, width: width, images: images)
    }

    /// Face `index` of `seed` as an RGB raster.
    public static func face(index: Int, seed: UInt64, height: Int, width: Int) -> Raster {
        var rng = SplitMix64(seed: seed, stream: UInt64(index))
        var canvas = Canvas(height: height, width: width)

        let top = mutedColour(&rng), bottom = mutedColour(&rng)
        canvas.gradient(top: top, bottom: bottom)

        let cx = rng.uniform(0.44...0.56), cy = rng.uniform(0.50...0.58)
        let a = rng.uniform(0.24...0.32), b = rng.uniform(0.30...0.38)
        let skin = mix(Color(r: 0.97, g: 0.82, b: 0.70), Color(r: 0.42, g: 0.27, b: 0.18), rng.uniform(0...1))
        if rng.nextUnitFloat() < 0.8 {
            let hair = [Color(r: 0.08, g: 0.06, b: 0.05), Color(r: 0.40, g: 0.24, b: 0.12),
                        Color(r: 0.92, g: 0.78, b: 0.45), Color(r: 0.62, g: 0.25, b: 0.10),
                        Color(r: 0.72, g: 0.72, b: 0.74)][rng.below(5)]
            let volume = rng.uniform(1.08...1.25)
            canvas.ellipse(cx: cx, cy: cy - 0.12 * b, rx: a * volume, ry: b * rng.uniform(0.95...1.10), colour: hair)
        }
        canvas.ellipse(cx: cx, cy: cy, rx: a, ry: b, colour: skin)

        let eyeY = cy - rng.uniform(0.12...0.25) * b, eyeDX = rng.uniform(0.34...0.44) * a
        let eyeR = rng.uniform(0.13...0.18) * a
        let iris = [Color(r: 0.30, g: 0.18, b: 0.08), Color(r: 0.20, g: 0.45, b: 0.80),
                    Color(r: 0.25, g: 0.55, b: 0.30), Color(r: 0.08, g: 0.08, b: 0.10)][rng.below(4)]
        for side: Float in [-1, 1] {
            canvas.ellipse(cx: cx + side * eyeDX, cy: eyeY, rx: eyeR, ry: eyeR * 0.7, colour: .white)
            canvas.ellipse(cx: cx + side * eyeDX, cy: eyeY, rx: eyeR * 0.55, ry: eyeR * 0.55, colour: iris)
        }
        let lips = mix(Color(r: 0.80, g: 0.20, b: 0.25), Color(r: 0.55, g: 0.15, b: 0.20), rng.uniform(0...1))
        canvas.ellipse(cx: cx, cy: cy + rng.uniform(0.42...0.55) * b, rx: rng.uniform(0.28...0.45) * a,
                       ry: rng.uniform(0.07...0.14) * b, colour: lips)
        return canvas.raster
    }

    private static func mutedColour(_ rng: inout SplitMix64) -> Color {
        Color(r: rng.uniform(0.15...0.85), g: rng.uniform(0.15...0.85), b: rng.uniform(0.15...0.85))
    }

    private static func mix(_ x: Color, _ y: Color, _ t: Float) -> Color {
        Color(r: x.r + (y.r - x.r) * t, g: x.g + (y.g - x.g) * t, b: x.b + (y.b - x.b) * t)
    }
}

/// An RGB raster painted with anti-aliased shapes in relative coordinates (0...1 across each axis).
private struct Canvas {
    var raster: Raster
    let height: Int, width: Int

    init(height: Int, width: Int) {
        self.height = height
        self.width = width
        raster = Raster(height: height, width: width, fill: [0, 0, 0])
    }

    mutating func gradient(top: Color, bottom: Color) {
        let plane = height * width
        for y in 0..<height {
            let t = Float(y) / Float(max(height - 1, 1))
            for x in 0..<width {
                let i = y * width + x
                raster.pixels[i] = top.r + (bottom.r - top.r) * t
                raster.pixels[plane + i] = top.g + (bottom.g - top.g) * t
                raster.pixels[2 * plane + i] = top.b + (bottom.b - top.b) * t
            }
        }
    }

    /// Paints an ellipse; coverage falls from 1 to 0 over one pixel across the edge.
    mutating func ellipse(cx: Float, cy: Float, rx: Float, ry: Float, colour: Color) {
        let plane = height * width
        let pixel = 1 / Float(min(height, width))
        let x0 = max(0, Int(((cx - rx - pixel) * Float(width)).rounded(.down)))
        let x1 = min(width - 1, Int(((cx + rx + pixel) * Float(width)).rounded(.up)))
        let y0 = max(0, Int(((cy - ry - pixel) * Float(height)).rounded(.down)))
        let y1 = min(height - 1, Int(((cy + ry + pixel) * Float(height)).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            let v = (Float(y) + 0.5) / Float(height)
            for x in x0...x1 {
                let u = (Float(x) + 0.5) / Float(width)
                let dx = (u - cx) / rx, dy = (v - cy) / ry
                // Signed distance to the edge, approximately, in units of pixels.
                let distance = ((dx * dx + dy * dy).squareRoot() - 1) * min(rx, ry) / pixel
                let alpha = min(max(0.5 - distance, 0), 1)
                guard alpha > 0 else { continue }
                let i = y * width + x
                raster.pixels[i] += alpha * (colour.r - raster.pixels[i])
                raster.pixels[plane + i] += alpha * (colour.g - raster.pixels[plane + i])
                raster.pixels[2 * plane + i] += alpha * (colour.b - raster.pixels[2 * plane + i])
            }
        }
    }
}
