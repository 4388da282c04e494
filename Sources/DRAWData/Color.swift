// Color.swift: an RGB colour in [0, 1], for backgrounds, drawing and plots; grey values through BT.601 luma.
/// An RGB colour, components in [0, 1] as stored in the image (sRGB-encoded, no linearisation).
public struct Color: Sendable, Equatable, Hashable {
    public var r: Float
    public var g: Float
    public var b: Float

    public init(r: Float, g: Float, b: Float) {
        self.r = r
        self.g = g
        self.b = b
    }

    public init(grey: Float) { self.init(r: grey, g: grey, b: grey) }

    /// ITU-R BT.601 luma, Y = 0.299 R + 0.587 G + 0.114 B: the conversion used for every colour → grey step.
    public var luma: Float { 0.299 * r + 0.587 * g + 0.114 * b }

    /// The components for a raster of `channels` (1: luma, 3: r, g, b).
    public func components(channels: Int) -> [Float] { channels == 1 ? [luma] : [r, g, b] }

    public static let black = Color(grey: 0)
    public static let white = Color(grey: 1)
    public static let red = Color(r: 1, g: 0.15, b: 0.1)
    public static let green = Color(r: 0.1, g: 0.85, b: 0.2)
    public static let blue = Color(r: 0.15, g: 0.35, b: 1)
    public static let yellow = Color(r: 1, g: 0.85, b: 0.1)
}
