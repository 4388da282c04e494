// swift-tools-version: 6.1
// Package.swift: DRAW on the CPU: C kernels (CKernels/), the Swift model, data pipeline and the `draw` tool.
import PackageDescription

// OpenMP comes from Debian's libomp-dev; Swift's clang has no omp.h, so the kernels declare what they use.
let openMP: [CSetting] = [.unsafeFlags(["-fopenmp", "-O3", "-fno-math-errno"])]

let package = Package(
    name: "DRAW",
    products: [
        .library(name: "DRAW", targets: ["DRAW"]),
        .library(name: "DRAWData", targets: ["DRAWData"]),
        .library(name: "CKernels", targets: ["CKernels"]),
        .library(name: "DRAWKernels", targets: ["DRAWKernels"]),
        // Float64 references, for the Benchmarks package's one-off validation before it times a kernel.
        .library(name: "DRAWTestSupport", targets: ["DRAWTestSupport"]),
        .executable(name: "draw", targets: ["draw"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation` (scripts/docs.sh); a build-time plugin only, nothing links it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // System libraries, each through pkg-config with its Debian package.
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CGIF", path: "Sources/CGIF", pkgConfig: "libgif",
                       providers: [.apt(["libgif-dev"])]),

        // The arithmetic: attention, glimpses, LSTM gates, latent, losses, Adam, GEMM policy.
        .target(name: "CKernels", dependencies: ["COpenBLAS"], path: "CKernels",
                cSettings: openMP,
                linkerSettings: [.linkedLibrary(":libomp.so.5"), .linkedLibrary("m")]),

        // The kernels from Swift: shaped buffers and one checked function per kernel (typed KernelError).
        .target(name: "DRAWKernels", dependencies: ["CKernels"]),
        // The model graph, BPTT, Adam state, checkpoints.
        .target(name: "DRAW", dependencies: ["CKernels"]),
        // libpng/libjpeg calls that can fail, behind setjmp, so Swift sees status codes (I/O glue, no arithmetic).
        .target(name: "CImageShims", dependencies: ["CPNG", "CJPEG"]),
        // Loaders (IDX, PNG, JPEG, built-in colour data) and image output (PNG grids, GIF, plots).
        .target(name: "DRAWData", dependencies: ["CImageShims", "CPNG", "CZlib", "CJPEG", "CGIF", "CKernels"]),
        // Data-parallel training: Open MPI, loaded with dlopen only when launched by mpirun.
        .target(name: "DRAWMPI"),
        // The `draw` commands, as a library so tests can parse and run them.
        .target(name: "DRAWCLI", dependencies: [
            "DRAW", "DRAWData", "DRAWMPI", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "draw", dependencies: ["DRAWCLI"]),

        // Float64 references and test helpers shared by the test targets.
        .target(name: "DRAWTestSupport", dependencies: ["CKernels", "DRAWData"], path: "Tests/DRAWTestSupport"),
        .testTarget(name: "CKernelsTests", dependencies: ["CKernels", "DRAWTestSupport"]),
        .testTarget(name: "DRAWKernelsTests", dependencies: ["DRAWKernels", "CKernels", "DRAWTestSupport"]),
        .testTarget(name: "DRAWTests", dependencies: ["DRAW", "DRAWTestSupport"]),
        .testTarget(name: "DRAWDataTests", dependencies: ["DRAWData", "DRAWTestSupport", "CZlib", "CGIF", "CPNG"]),
        .testTarget(name: "DRAWCLITests", dependencies: ["DRAWCLI", "DRAWTestSupport"]),
    ]
)
