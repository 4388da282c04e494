// Shape.swift: a tensor shape of rank 1 to 4, stored inline so building and comparing one never allocates.
/// The dimensions of a kernel argument, outermost first: `Shape(B, C, H, W)` is a planar image batch.
public struct Shape: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Number of dimensions, 1…4.
    public let rank: Int
    private let dims: (Int, Int, Int, Int)

    public init(_ d0: Int) { rank = 1; dims = (d0, 1, 1, 1) }
    public init(_ d0: Int, _ d1: Int) { rank = 2; dims = (d0, d1, 1, 1) }
    public init(_ d0: Int, _ d1: Int, _ d2: Int) { rank = 3; dims = (d0, d1, d2, 1) }
    public init(_ d0: Int, _ d1: Int, _ d2: Int, _ d3: Int) { rank = 4; dims = (d0, d1, d2, d3) }

    /// Dimension `i` (0-based); 1 past the rank.
    public subscript(i: Int) -> Int {
        switch i { case 0: dims.0; case 1: dims.1; case 2: dims.2; case 3: dims.3; default: 1 }
    }
    /// Elements, the product of the dimensions.
    public var count: Int { dims.0 * dims.1 * dims.2 * dims.3 }
    /// Elements of one row: the product of every dimension but the first (the whole shape at rank 1).
    public var rowLength: Int { rank == 1 ? dims.0 : dims.1 * dims.2 * dims.3 }
    /// Rows: the first dimension (1 at rank 1).
    public var rows: Int { rank == 1 ? 1 : dims.0 }

    public static func == (a: Shape, b: Shape) -> Bool {
        a.rank == b.rank && a.dims.0 == b.dims.0 && a.dims.1 == b.dims.1 && a.dims.2 == b.dims.2 && a.dims.3 == b.dims.3
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(rank)
        for i in 0..<rank { hasher.combine(self[i]) }
    }
    /// "(64, 3, 64, 64)".
    public var description: String { "(" + (0..<rank).map { String(self[$0]) }.joined(separator: ", ") + ")" }
}
