// main.swift: libFuzzer target for IDXReader: byte 0 picks the file's form, the rest is the file (or its gzip input).
import CFuzzZlib
import DRAWData
import FuzzSupport

nonisolated(unsafe) let scratch = ScratchFile(suffix: ".idx")

/// Input layout: `mode` (1 byte), then `body`. Mode bit 0 clear: `body` is the file as it is (raw IDX, or gzip
/// bytes the fuzzer damages). Set: `body` is gzipped first, so the fuzzer explores the IDX header behind gzip.
/// Bit 1 asks for the images reader (magic 0x00000803) instead of the any-rank one.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzIDX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard size >= 1, let data else { return 0 }
    let mode = data[0]
    if mode & 1 == 0 {
        scratch.write(data + 1, size - 1)
    } else {
        guard let file = gzopen(scratch.path, "wb") else { fatalError("cannot create \(scratch.path)") }
        _ = gzwrite(file, data + 1, UInt32(size - 1))
        gzclose(file)
    }
    // A 1 MiB payload limit: larger declared sizes must be refused before anything that size is allocated.
    if mode & 2 == 0 {
        _ = try? IDXReader.read(scratch.path, maxBytes: 1 << 20)
    } else {
        _ = try? IDXReader.readImages(scratch.path, maxBytes: 1 << 20)
    }
    return 0
}

runFuzzer { fuzzIDX($0, $1) }
