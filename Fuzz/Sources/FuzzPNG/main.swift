// main.swift: libFuzzer target for PNGCodec.read: thrown errors are fine, crashes and sanitizer reports are bugs.
import DRAWData
import FuzzSupport

nonisolated(unsafe) let scratch = ScratchFile(suffix: ".png")

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzPNG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    scratch.write(data, size)
    // A 256 KiB decode limit: larger declared images are refused before allocating, which is what is under test,
    // and small accepted ones keep the debug build at thousands of runs per second.
    if let image = try? PNGCodec.read(scratch.path, maxBytes: 1 << 18) {
        _ = image.raster(channels: 3)
        _ = image.raster(channels: 1)
    }
    return 0
}

runFuzzer { fuzzPNG($0, $1) }
