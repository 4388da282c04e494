// FacesDefaultTests.swift: the faces' default size and count are what loading gives and what `draw train/demo --help` say.
@testable import DRAWCLI
import DRAWData
import Testing

@Suite struct FacesDefaultTests {
    @Test func helpSaysWhatLoadingGives() throws {
        let side = ProceduralFaces.defaultSide, count = ProceduralFaces.defaultCount
        let (set, _) = try DataSource.parse("faces:2").load(options: ImageOptions())
        #expect(set.height == side && set.width == side)
        #expect(try DataSource.parse("faces") == .faces(count: count))
        let train = DrawCommand.helpMessage(for: TrainCommand.self, columns: 400)
        let demo = DrawCommand.helpMessage(for: DemoCommand.self, columns: 400)
        #expect(train.contains("colour faces, \(side)x\(side),"), "\(train)")
        #expect(demo.contains("on 3x\(side)x\(side) faces"), "\(demo)")
        for help in [train, demo] {
            #expect(help.contains("(\(side) for faces;"), "--height's default")
            #expect(help.contains("procedural colour faces, default \(count),"), "--data's default count")
        }
    }
}
