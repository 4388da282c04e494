// MeasuredModelTests.swift: with no --preset, train and demo build the measured model (a write window of half the image's side); a preset keeps SPEC.md's.
import DRAW
import Testing
@testable import DRAWCLI

@Suite struct MeasuredModelTests {
    @Test func noPresetWritesHalfTheShorterSide() throws {
        let options = try ModelOptions.parse([])
        #expect(try options.config(channels: 3, height: 32, width: 32).writeN == 16)
        #expect(try options.config(channels: 3, height: 64, width: 48).writeN == 24)
        #expect(try options.config(channels: 1, height: 200, width: 300).writeN == DRAWConfig.maxWindow)
        #expect(try options.config(channels: 1, height: 3, width: 3).writeN == 2)
        // Everything but the write window is color64's.
        var c = try options.config(channels: 3, height: 64, width: 64)
        #expect(c.writeN == 32)
        c.writeN = DRAWConfig.color64.writeN
        #expect(c == .color64)
    }

    @Test func presetAndFlagKeepTheirWindow() throws {
        #expect(try ModelOptions.parse(["--preset", "color64"]).config(channels: 3, height: 32, width: 32).writeN == 5)
        #expect(try ModelOptions.parse(["--write-n", "7"]).config(channels: 3, height: 32, width: 32).writeN == 7)
    }
}
