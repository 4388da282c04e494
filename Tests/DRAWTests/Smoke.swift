// Smoke test for DRAW.
import Testing
@testable import DRAW

@Test func DRAWLinks() {}
