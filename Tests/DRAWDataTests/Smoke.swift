// Smoke test for DRAWData.
import Testing
@testable import DRAWData

@Test func DRAWDataLinks() {}
