// swift-tools-version: 6.1
// Benchmarks/Package.swift: kernel throughput benchmarks (ordo-one/benchmark), a package of its own.
import PackageDescription

let package = Package(
    name: "DRAWBenchmarks",
    dependencies: [
        .package(name: "DRAW", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The machine's ceilings, measured in the same run: FMA peak and streaming-copy bandwidth (OpenMP).
        .target(name: "CCeiling", path: "Benchmarks/CCeiling",
                cSettings: [.unsafeFlags(["-fopenmp", "-O2"])]),
        .executableTarget(
            name: "KernelBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CKernels", package: "DRAW"),
                .product(name: "DRAWKernels", package: "DRAW"),
                .product(name: "DRAW", package: "DRAW"),
                "CCeiling",
                .product(name: "DRAWTestSupport", package: "DRAW"),
            ],
            path: "Benchmarks/KernelBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
