// RasterDrawing.swift: marks drawn onto an image for output: rectangle outlines (attention windows) and dots.
import DRAWData
extension Raster {
    /// Paints the outline of the axis-aligned rectangle with corners (x0, y0) and (x1, y1), in pixel
    /// coordinates (pixel (x, y) covers [x, x+1) × [y, y+1); fractional corners are rounded to the nearest
    /// pixel edge), `lineWidth` pixels thick and drawn inside the rectangle's edge. Parts outside the raster
    /// are clipped, so a window partly or wholly off the image is fine. A 1-channel raster gets the colour's luma.
    public mutating func strokeRectangle(x0: Float, y0: Float, x1: Float, y1: Float, lineWidth: Int = 1,
                                         colour: Color) {
        guard x0.isFinite, y0.isFinite, x1.isFinite, y1.isFinite, lineWidth > 0 else { return }
        // Corners far off the raster (a diverged window's 1e30) move to just past the edge a line could reach
        // from, so the Int conversion cannot trap and what shows is the same.
        let reach = Float(min(lineWidth, 1 << 20) + 1)
        func px(_ v: Float, _ size: Int) -> Int { Int(min(max(v, -reach), Float(size) + reach).rounded()) }
        let left = px(min(x0, x1), width), right = px(max(x0, x1), width) - 1
        let top = px(min(y0, y1), height), bottom = px(max(y0, y1), height) - 1
        guard right >= left, bottom >= top else { return }
        let t = lineWidth - 1
        fillRectangle(left: left, top: top, right: right, bottom: min(top + t, bottom), colour: colour)
        fillRectangle(left: left, top: max(bottom - t, top), right: right, bottom: bottom, colour: colour)
        fillRectangle(left: left, top: top, right: min(left + t, right), bottom: bottom, colour: colour)
        fillRectangle(left: max(right - t, left), top: top, right: right, bottom: bottom, colour: colour)
    }

    /// Paints a dot centred on pixel coordinate (x, y): a filled square of side 2·radius + 1 pixels
    /// (`round: false`) or the pixels whose centres lie within radius + 0.5 of it (`round: true`). Clipped.
    public mutating func drawDot(x: Float, y: Float, radius: Int = 1, colour: Color, round: Bool = true) {
        guard x.isFinite, y.isFinite, radius >= 0 else { return }
        let cx = Int(x.rounded(.down)), cy = Int(y.rounded(.down))
        let r2 = (Float(radius) + 0.5) * (Float(radius) + 0.5)
        for py in (cy - radius)...(cy + radius) {
            for px in (cx - radius)...(cx + radius) {
                let dx = Float(px - cx), dy = Float(py - cy)
                if round && dx * dx + dy * dy > r2 { continue }
                fillRectangle(left: px, top: py, right: px, bottom: py, colour: colour)
            }
        }
    }

    /// Fills pixels left...right × top...bottom (inclusive), clipped to the raster.
    public mutating func fillRectangle(left: Int, top: Int, right: Int, bottom: Int, colour: Color) {
        let (l, r) = (max(left, 0), min(right, width - 1))
        let (t, b) = (max(top, 0), min(bottom, height - 1))
        guard l <= r, t <= b else { return }
        let values = channels == 3 ? [colour.r, colour.g, colour.b] : Array(repeating: colour.luma, count: channels)
        for c in 0..<channels {
            for y in t...b {
                for x in l...r { pixels[index(channel: c, x: x, y: y)] = values[c] }
            }
        }
    }
}
