// main.swift: libFuzzer target for checkpoint loading (safetensors container, config JSON, tensors, metadata).
import DRAW
import FuzzSupport

nonisolated(unsafe) let scratch = ScratchFile(suffix: ".safetensors")

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzSafeTensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    scratch.write(data, size)
    if let model = try? DRAWModel(contentsOf: scratch.path) {
        // A model that loaded must also load its own file again through the config-checking path.
        _ = try? model.load(from: scratch.path)
    }
    return 0
}

runFuzzer { fuzzSafeTensors($0, $1) }
