// DrawingStripTests.swift: drawing.png shows every step of a short drawing and 64 evenly spaced ones of a long one.
import Testing
@testable import DRAWCLI

struct DrawingStripTests {
    @Test(arguments: [1, 3, 10, 64])
    func shortDrawingsShowEveryStep(_ T: Int) {
        #expect(Pictures.shownSteps(T) == Array(1...T))
    }

    /// A hostile or huge T (10 000 is the config's limit) gives a strip of 64 canvases, increasing, ending at T.
    @Test(arguments: [65, 100, 1000, 10_000])
    func longDrawingsShowSixtyFourEvenlySpacedSteps(_ T: Int) {
        let s = Pictures.shownSteps(T)
        #expect(s.count == Pictures.maxDrawingColumns)
        #expect(s.last == T && s.first! >= 1)
        #expect(zip(s, s.dropFirst()).allSatisfy { $0 < $1 }, "\(s)")
        let gaps = zip(s, s.dropFirst()).map { $1 - $0 }
        #expect(gaps.max()! - gaps.min()! <= 1, "evenly spaced: \(gaps)")
    }
}
