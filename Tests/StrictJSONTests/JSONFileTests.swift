import Foundation
import Testing
import TestSupport
@testable import StrictJSON

@Suite struct JSONFileTests {
    @Test func readsAFileWithinTheBound() throws {
        let directory = TemporaryDirectory()
        let url = directory.write(Array("{\"a\": 1}".utf8), to: "config.json")
        #expect(try JSONFile.contents(of: url, maximumSize: 8) == Array("{\"a\": 1}".utf8))
        #expect(throws: JSONFile.ReadError.tooLarge(maximum: 7)) { try JSONFile.contents(of: url, maximumSize: 7) }
    }

    @Test func aMissingFileOrADirectoryIsUnreadable() {
        let directory = TemporaryDirectory()
        for url in [directory.file("missing.json"), directory.url] {
            #expect {
                try JSONFile.contents(of: url)
            } throws: { error in
                guard case .unreadable(let reason) = error as? JSONFile.ReadError else { return false }
                return !reason.isEmpty
            }
        }
    }

    /// A device never ends; the bound stops the read.
    @Test func anEndlessFileStopsAtTheBound() {
        #expect(throws: JSONFile.ReadError.tooLarge(maximum: 1000)) {
            try JSONFile.contents(of: URL(fileURLWithPath: "/dev/zero"), maximumSize: 1000)
        }
    }
}
