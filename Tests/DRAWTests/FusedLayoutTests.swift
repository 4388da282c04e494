// FusedLayoutTests.swift: the fused rows' named column ranges tile their rows and agree with the parameter table.
@testable import DRAW
import Testing

@Suite struct FusedLayoutTests {
    static let configs = ModelReferenceTests.configs.map(\.1)

    /// Each block starts where the previous one ends, so no two names share a column and none is left over.
    static func tiles(_ ranges: [Range<Int>], width: Int) -> Bool {
        var next = 0
        for r in ranges {
            if r.lowerBound != next { return false }
            next = r.upperBound
        }
        return next == width
    }

    @Test(arguments: 0..<configs.count)
    func rowsAreTiledInSpecOrder(_ which: Int) {
        let c = Self.configs[which], f = c.fused
        let row = f.stepRow, head = f.headRow, columns = f.encoderColumns
        #expect(Self.tiles([row.read, row.hEnc, row.hDec, row.z], width: row.width))
        #expect(row.read.count == (c.attention ? c.readSize : c.pixels))
        #expect(row.hEnc.count == c.encSize && row.hDec.count == c.decSize && row.z.count == c.zSize)
        #expect(Self.tiles([head.write, head.writeAttention, head.readAttention], width: head.width))
        #expect(head.writeAttention.count == (c.attention ? 5 : 0) && head.readAttention.count == head.writeAttention.count)
        // encoder.weight_ih's columns are [r, h_dec]; without attention r = [x, x̂] and the step reads x̂.
        let r = c.attention ? [columns.stepRead] : [columns.x, columns.stepRead]
        #expect(Self.tiles(r + [columns.hDec], width: c.encoderInputSize))
        #expect(columns.stepRead.count == row.read.count && columns.hDec.count == c.decSize)
        #expect(row.decoderZRow == c.decSize)
    }

    /// The head row's blocks are the rows of ParameterLayout's stacked head weight, in its order.
    @Test(arguments: 0..<configs.count)
    func headRowMatchesTheParameterTable(_ which: Int) throws {
        let c = Self.configs[which], head = c.fused.headRow, layout = ParameterLayout(config: c), D = c.decSize
        let write = try #require(layout.tensor(named: "write.weight"))
        #expect(write.shape == [head.write.count, D])
        guard c.attention else {
            #expect(layout.tensor(named: "write_attn.weight") == nil)
            return
        }
        for (name, range) in [("write_attn.weight", head.writeAttention), ("read_attn.weight", head.readAttention)] {
            let t = try #require(layout.tensor(named: name))
            #expect(t.offset - write.offset == range.lowerBound * D, "\(name)")
            #expect(t.shape == [range.count, D], "\(name)")
        }
    }
}
