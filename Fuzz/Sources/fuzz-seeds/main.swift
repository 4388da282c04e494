// main.swift: writes the seed corpora Fuzz/Corpus/{png,jpeg,idx,safetensors}/ with the project's own writers,
// plus a few damaged copies (cut short, bytes flipped, huge declared sizes). Run: scripts/fuzz.sh seeds
import CFuzzZlib
import DRAW
import DRAWData
import Foundation

let root = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Fuzz/Corpus"
let scratch = NSTemporaryDirectory() + "draw-fuzz-seeds-\(getpid())"
try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: scratch) }

func bytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path)!) }

func save(_ target: String, _ name: String, _ data: [UInt8]) {
    let dir = "\(root)/\(target)"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: "\(dir)/\(name)", contents: Data(data))
}

/// The valid file, then damaged copies: cut to half, and one byte flipped at 3/4 of the length.
func saveWithDamage(_ target: String, _ name: String, _ data: [UInt8]) {
    save(target, name, data)
    save(target, "\(name)-cut", Array(data.prefix(data.count / 2)))
    var flipped = data
    flipped[3 * data.count / 4] ^= 0x5A
    save(target, "\(name)-flip", flipped)
}

/// A raster with a smooth pattern, so encoders produce more than one symbol.
func pattern(channels: Int, height: Int, width: Int) -> Raster {
    let n = channels * height * width
    return Raster(channels: channels, height: height, width: width,
                  pixels: (0..<n).map { Float(($0 * 37) % 256) / 255 })
}

func written(_ name: String, _ write: (String) throws -> Void) -> [UInt8] {
    let path = "\(scratch)/\(name)"
    try! write(path)
    return bytes(path)
}

// PNG: the writer's grey and RGB, plus palette, tRNS, sub-byte, interlaced and 16-bit forms the reader expands.
saveWithDamage("png", "grey8x8", written("a.png") { try PNGCodec.write(pattern(channels: 1, height: 8, width: 8), to: $0) })
saveWithDamage("png", "rgb5x3", written("b.png") { try PNGCodec.write(pattern(channels: 3, height: 3, width: 5), to: $0) })
save("png", "palette1-trns", written("c.png") {
    try PNGCodec.writeSamples([0, 1, 1, 0, 1, 0], width: 3, height: 2, bitDepth: 1, colorType: .palette,
                              palette: [255, 0, 0, 0, 0, 255], transparency: [128], to: $0)
})
save("png", "grey2-interlaced", written("d.png") {
    try PNGCodec.writeSamples((0..<35).map { UInt8($0 % 4) }, width: 7, height: 5, bitDepth: 2, colorType: .grey,
                              interlaced: true, to: $0)
})
save("png", "rgba16", written("e.png") {
    try PNGCodec.writeSamples16((0..<24).map { UInt16($0 * 2700) }, width: 3, height: 2, colorType: .rgba, to: $0)
})
save("png", "greyalpha-trns-rgb", written("f.png") {
    try PNGCodec.writeSamples((0..<12).map { UInt8($0 * 20) }, width: 2, height: 2, bitDepth: 8, colorType: .rgb,
                              transparency: [0, 20, 40], to: $0)
})

// JPEG: grey and RGB at two qualities.
saveWithDamage("jpeg", "grey8x8", written("a.jpg") { try JPEGCodec.write(pattern(channels: 1, height: 8, width: 8), to: $0) })
saveWithDamage("jpeg", "rgb17x9-q50", written("b.jpg") {
    try JPEGCodec.write(pattern(channels: 3, height: 9, width: 17), to: $0, quality: 50)
})

// IDX: byte 0 is the harness's mode (bit 0: gzip the rest first; bit 1: images reader), then the file.
func idx(_ dims: [UInt32], _ payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0, 0, 8, UInt8(dims.count)]
    for d in dims { out += [UInt8(d >> 24), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
    return out + payload
}
func gzipped(_ data: [UInt8]) -> [UInt8] {
    let path = "\(scratch)/g.gz"
    let file = gzopen(path, "wb")!
    _ = data.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
    gzclose(file)
    return bytes(path)
}
let images = idx([2, 3, 3], (0..<18).map { UInt8($0 * 14) })
let labels = idx([4], [3, 1, 4, 1])
saveWithDamage("idx", "images-raw", [2] + images)
save("idx", "labels-raw", [0] + labels)
save("idx", "images-gzip-by-harness", [3] + images)
saveWithDamage("idx", "images-gzip-file", [2] + gzipped(images))
save("idx", "labels-gzip-file", [0] + gzipped(labels))
save("idx", "huge-dims-raw", [0] + idx([0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], []))
save("idx", "big-dims-gzip", [3] + idx([0x10, 0x100, 0x100], [1, 2, 3]))

// Checkpoints: tiny models with and without attention, saved after one training step (Adam state present).
func checkpoint(_ config: DRAWConfig) -> [UInt8] {
    let model = try! DRAWModel(config: config, seed: 1)
    try! model.trainStep(batch: (0..<(2 * config.pixels)).map { Float($0 % 2) })
    return written("m.safetensors") { try model.save(to: $0) }
}
saveWithDamage("safetensors", "tiny-noattn", checkpoint(DRAWConfig(
    channels: 1, height: 3, width: 2, steps: 2, readN: 2, writeN: 2, encSize: 2, decSize: 3, zSize: 1,
    attention: false, loss: .bce)))
save("safetensors", "tiny-attn-rgb", checkpoint(DRAWConfig(
    channels: 3, height: 4, width: 3, steps: 1, readN: 2, writeN: 2, encSize: 2, decSize: 2, zSize: 1, loss: .l2)))
// An untrained model: no step, fewer metadata keys exercised differently by restore.
save("safetensors", "fresh-noattn", written("n.safetensors") {
    try DRAWModel(config: DRAWConfig(channels: 1, height: 2, width: 2, steps: 1, readN: 2, writeN: 2, encSize: 1,
                                     decSize: 1, zSize: 1, attention: false, loss: .l2), seed: 2).save(to: $0)
})
// Header-only files: the fuzzer mutates the JSON directly instead of kilobytes of tensor data.
func safetensors(header: String, dataBytes: Int) -> [UInt8] {
    let h = [UInt8](header.utf8)
    return (0..<8).map { UInt8(h.count >> (8 * $0) & 0xFF) } + h + [UInt8](repeating: 0, count: dataBytes)
}
save("safetensors", "header-only-tensor",
     safetensors(header: #"{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"#, dataBytes: 24))
save("safetensors", "header-only-config", safetensors(header: #"{"__metadata__":{"config":"{\"C\":1,\"H\":2,\"W\":2,\"T\":1,\"read_n\":2,\"write_n\":2,\"enc_size\":2,\"dec_size\":2,\"z_size\":1,\"attention\":false,\"loss\":\"l2\"}","step":"3"}}"#, dataBytes: 0))
// Found by FuzzSafeTensors: Foundation's Data(contentsOf:) leaked 4 KiB reading an empty file.
save("safetensors", "empty-leaked-4KiB-in-Foundation", [])
print("seed corpora written under \(root)")
