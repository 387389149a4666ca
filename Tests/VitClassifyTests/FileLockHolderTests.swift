import Testing
@testable import vit_classify

/// Reading a `flock` lock's holder out of the kernel's lock table.
@Suite struct FileLockHolderTests {
    static let table = """
        1: POSIX  ADVISORY  WRITE 2226 fe:00:5310145 1073741824 1073742335
        2: FLOCK  ADVISORY  WRITE 7508 fe:00:16221069 0 EOF
        3: FLOCK  ADVISORY  WRITE 11019 103:02:16220598 0 EOF
        3: -> FLOCK  ADVISORY  WRITE 11020 103:02:16220598 0 EOF
        """

    /// `makedev(major, minor)` as glibc encodes it.
    static func device(major: UInt64, minor: UInt64) -> UInt64 {
        (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12) | ((major & ~0xfff) << 32)
    }

    @Test func theLineForTheFilesDeviceAndInodeNamesTheHolder() {
        #expect(FileLockHolder.processID(holdingLockOnDevice: Self.device(major: 0xfe, minor: 0), inode: 16221069,
                                         in: Self.table) == 7508)
        // Major 0x103 needs the high bits; the waiter ("->") is not the holder.
        #expect(FileLockHolder.processID(holdingLockOnDevice: Self.device(major: 0x103, minor: 2), inode: 16220598,
                                         in: Self.table) == 11019)
    }

    @Test func onlyFlockLinesCountAndAnUnknownFileHasNoHolder() {
        #expect(FileLockHolder.processID(holdingLockOnDevice: Self.device(major: 0xfe, minor: 0), inode: 5310145,
                                         in: Self.table) == nil)
        #expect(FileLockHolder.processID(holdingLockOnDevice: 1, inode: 42, in: Self.table) == nil)
    }

    /// overlayfs shows `stat` its own device but locks the inode below: the inode alone decides.
    @Test func aLoneLineWithTheInodeIsTakenWhenTheDeviceDiffers() {
        #expect(FileLockHolder.processID(holdingLockOnDevice: Self.device(major: 0, minor: 77), inode: 16221069,
                                         in: Self.table) == 7508)
    }
}
