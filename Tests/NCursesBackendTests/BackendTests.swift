import Foundation
import Testing
import TerminalUI
@testable import NCursesBackend

@Suite struct BackendTests {
    @Test func colourDowngrade() {
        #expect(ColorDowngrade.xterm256(0xff, 0x00, 0x00) == 196)
        #expect(ColorDowngrade.index(196, depth: .c8) == 1)
        #expect(ColorDowngrade.index(9, depth: .c8) == 1)
        #expect(ColorDowngrade.index(200, depth: .c256) == 200)
    }
}
