// Smoke test for DRAWCLI.
import Testing
@testable import DRAWCLI

@Test func DRAWCLILinks() {}
