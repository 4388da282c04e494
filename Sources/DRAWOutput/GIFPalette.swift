// GIFPalette.swift: a 256-colour palette made for one frame (exact when it fits, else median cut), and its index map.
import DRAWData

/// The palette of one GIF frame and each pixel's index into it.
///
/// When the frame has at most 256 distinct 8-bit colours (always so for grey data: 256 greys, plus the window
/// boxes when they fit) every pixel keeps its exact colour. Otherwise the `keep` colours (the window boxes, the
/// padding) stay exact and the frame's other colours are reduced to the remaining entries by median cut
/// (Heckbert 1982): the box with the largest (longest side)² × pixel count is split at its weighted median,
/// each entry is its box's weighted mean, and each colour takes its nearest entry. The mean of grey colours is
/// grey, so a grey frame stays exactly grey even when its 256 greys and the boxes need more than 256 entries.
public struct GIFPalette: Sendable {
    /// RGB triples, at most 256.
    public let colours: [(UInt8, UInt8, UInt8)]
    /// One palette index per pixel, row-major.
    public let indices: [UInt8]

    /// `rgb` is interleaved (height·width, 3) 8-bit samples.
    public init(rgb: [UInt8], keep: [Color] = []) {
        let n = rgb.count / 3
        var counts: [UInt32: Int] = [:]
        for i in 0..<n { counts[GIFPalette.pack(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]), default: 0] += 1 }
        var kept: [UInt32] = []
        for c in keep {
            let p = GIFPalette.pack(Raster.byte(c.r), Raster.byte(c.g), Raster.byte(c.b))
            if !kept.contains(p) && kept.count < 256 { kept.append(p) }
        }
        var entries: [UInt32]
        if counts.count <= 256 {
            entries = Array(counts.keys).sorted()
        } else {
            let rest = counts.filter { !kept.contains($0.key) }.map { (colour: $0.key, count: $0.value) }
            entries = kept + GIFPalette.medianCut(rest, into: 256 - kept.count)
        }
        var index: [UInt32: UInt8] = [:]
        for (i, e) in entries.enumerated() { index[e] = UInt8(i) }
        for c in counts.keys where index[c] == nil { index[c] = GIFPalette.nearest(c, in: entries) }
        var indices = [UInt8](repeating: 0, count: n)
        for i in 0..<n { indices[i] = index[GIFPalette.pack(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2])]! }
        self.indices = indices
        colours = entries.map { (UInt8($0 >> 16), UInt8(($0 >> 8) & 0xFF), UInt8($0 & 0xFF)) }
    }

    @inline(__always) static func pack(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt32 {
        UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b)
    }

    @inline(__always) static func component(_ c: UInt32, _ axis: Int) -> Int { Int((c >> (16 - 8 * axis)) & 0xFF) }

    /// At most `budget` colours standing for `colours` (weighted by their pixel counts).
    static func medianCut(_ colours: [(colour: UInt32, count: Int)], into budget: Int) -> [UInt32] {
        guard budget > 0, !colours.isEmpty else { return [] }
        struct Box {
            var members: [(colour: UInt32, count: Int)]
            var axis = 0, side = 0, population = 0
            init(_ m: [(colour: UInt32, count: Int)]) {
                members = m
                population = m.reduce(0) { $0 + $1.count }
                for a in 0..<3 {
                    let values = m.map { GIFPalette.component($0.colour, a) }
                    let s = values.max()! - values.min()!
                    if s > side { (side, axis) = (s, a) }
                }
            }
            var score: Double { members.count > 1 ? Double(side) * Double(side) * Double(population) : -1 }
        }
        var boxes = [Box(colours)]
        while boxes.count < budget {
            guard let k = boxes.indices.max(by: { boxes[$0].score < boxes[$1].score }), boxes[k].score > 0 else { break }
            let box = boxes.remove(at: k)
            let sorted = box.members.sorted { GIFPalette.component($0.colour, box.axis) < GIFPalette.component($1.colour, box.axis) }
            // The weighted median, kept off the ends so both halves are non-empty.
            var cut = 0, seen = 0
            while cut < sorted.count - 1 && 2 * (seen + sorted[cut].count) <= box.population {
                seen += sorted[cut].count
                cut += 1
            }
            cut = max(1, cut)
            boxes.append(Box(Array(sorted[..<cut])))
            boxes.append(Box(Array(sorted[cut...])))
        }
        return boxes.map { box in
            var sums = [0, 0, 0]
            for m in box.members { for a in 0..<3 { sums[a] += GIFPalette.component(m.colour, a) * m.count } }
            let mean = sums.map { UInt8((2 * $0 + box.population) / (2 * box.population)) }   // rounded
            return pack(mean[0], mean[1], mean[2])
        }
    }

    /// The index of the entry nearest to `c` (squared RGB distance; the first on ties).
    static func nearest(_ c: UInt32, in entries: [UInt32]) -> UInt8 {
        var best = 0, bestDistance = Int.max
        for (i, e) in entries.enumerated() {
            var d = 0
            for a in 0..<3 {
                let x = component(c, a) - component(e, a)
                d += x * x
            }
            if d < bestDistance { (best, bestDistance) = (i, d) }
        }
        return UInt8(best)
    }
}
