// main.swift: libFuzzer target for JPEGCodec.read: thrown errors are fine, crashes and sanitizer reports are bugs.
import DRAWData
import FuzzSupport

nonisolated(unsafe) let scratch = ScratchFile(suffix: ".jpg")

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzJPEG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    scratch.write(data, size)
    // A 4 MiB decode limit keeps every accepted image small enough to run thousands per second.
    if let image = try? JPEGCodec.read(scratch.path, maxBytes: 1 << 22) {
        _ = image.raster(channels: 3)
        _ = image.raster(channels: 1)
    }
    return 0
}

runFuzzer { fuzzJPEG($0, $1) }
