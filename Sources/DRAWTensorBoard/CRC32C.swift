// CRC32C.swift: the Castagnoli CRC that TFRecord framing uses, and TensorFlow's mask over it.

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), byte-wise from a 256-entry table.
/// The check value of "123456789" is 0xE3069283.
enum CRC32C {
    static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    static func checksum<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return ~c
    }

    /// TensorFlow's masked CRC (crc32c.h `Mask`): rotate right by 15 and add a constant, so that a CRC stored
    /// inside data that is itself CRC'd does not cancel out.
    static func masked<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        let c = checksum(bytes)
        return ((c >> 15) | (c << 17)) &+ 0xA282_EAD8
    }
}
