// swift-tools-version: 6.1
// Fuzz/Package.swift: libFuzzer harnesses for the PNG, JPEG, IDX and safetensors readers (run with scripts/fuzz.sh).
import PackageDescription

let package = Package(
    name: "DRAWFuzz",
    dependencies: [
        .package(name: "DRAW", path: ".."),
    ],
    targets: [
        // Writes each input to a per-process scratch file, since the readers take paths.
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver"]),
        // libFuzzer's LLVMFuzzerRunDriver: SwiftPM links an executable's main as <Module>_main, so each harness's
        // main.swift calls the driver instead of relying on libFuzzer's own main.
        .systemLibrary(name: "CFuzzDriver"),
        // zlib's gzwrite, to gzip IDX inputs (the root package's CZlib is not a product).
        .systemLibrary(name: "CFuzzZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // One libFuzzer target per reader, built with -sanitize=fuzzer,address (scripts/fuzz.sh).
        .executableTarget(name: "FuzzPNG", dependencies: ["FuzzSupport", .product(name: "DRAWData", package: "DRAW")]),
        .executableTarget(name: "FuzzJPEG", dependencies: ["FuzzSupport", .product(name: "DRAWData", package: "DRAW")]),
        .executableTarget(name: "FuzzIDX", dependencies: ["FuzzSupport", "CFuzzZlib", .product(name: "DRAWData", package: "DRAW")]),
        .executableTarget(name: "FuzzSafeTensors", dependencies: ["FuzzSupport", .product(name: "DRAW", package: "DRAW")]),
        // Writes the seed corpora (Fuzz/Corpus/<target>/) with the project's own writers; built without sanitizers.
        .executableTarget(name: "fuzz-seeds", dependencies: [
            "CFuzzZlib",
            .product(name: "DRAW", package: "DRAW"), .product(name: "DRAWData", package: "DRAW"),
        ]),
    ]
)
