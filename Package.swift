// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Flowcraft",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FlowcraftModel", targets: ["FlowcraftModel"]),
        .library(name: "FlowcraftCompiler", targets: ["FlowcraftCompiler"]),
        .library(name: "Flowcraft", targets: ["Flowcraft"]),
        .library(name: "FlowcraftRedis", targets: ["FlowcraftRedis"]),
        .executable(name: "flowcraft", targets: ["flowcraft"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // System libraries from Debian's libyaml-dev and libhiredis-dev.
        .systemLibrary(name: "CLibYAML", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),

        .target(name: "FlowcraftModel"),
        .target(
            name: "FlowcraftCompiler",
            dependencies: ["FlowcraftModel", "CLibYAML"]
        ),
        .target(
            name: "Flowcraft",
            dependencies: [
                "FlowcraftModel",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "FlowcraftRedis",
            dependencies: [
                "Flowcraft",
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "flowcraft",
            dependencies: [
                "FlowcraftCompiler",
                "Flowcraft",
                "FlowcraftRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "flowcraft-benchmark",
            dependencies: ["FlowcraftCompiler", "Flowcraft", "FlowcraftRedis"],
            path: "Benchmarks/FlowcraftBenchmark"
        ),

        .testTarget(name: "FlowcraftModelTests", dependencies: ["FlowcraftModel"]),
        .testTarget(
            name: "FlowcraftCompilerTests",
            dependencies: ["FlowcraftCompiler"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "FlowcraftTests", dependencies: ["Flowcraft", "FlowcraftCompiler"]),
        .testTarget(name: "FlowcraftRedisTests", dependencies: ["FlowcraftRedis", "FlowcraftCompiler"]),
    ],
    swiftLanguageModes: [.v6]
)
