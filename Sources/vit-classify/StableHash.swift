/// A hash of a string that is the same on every machine, process and Swift version (unlike
/// `Hasher`, which is seeded per process): 64-bit FNV-1a over the UTF-8 bytes, then the
/// MurmurHash3 finaliser so that the low bits — used by `mod N` — depend on every byte.
enum StableHash {
    static func hash(_ string: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in string.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }
}
