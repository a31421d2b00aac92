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
        .plugin(name: "FlowcraftPlugin", targets: ["FlowcraftPlugin"]),
        .plugin(name: "FlowcraftGenerateCommand", targets: ["FlowcraftGenerateCommand"]),
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
        // The build plugin's tool: only the compiler, so it builds fast (no ArgumentParser, no Redis).
        .executableTarget(
            name: "flowcraft-generator",
            dependencies: ["FlowcraftCompiler", "FlowcraftModel"]
        ),
        // Regenerates typed Swift from a target's blueprints on every build.
        .plugin(name: "FlowcraftPlugin", capability: .buildTool(), dependencies: ["flowcraft-generator"]),
        // `swift package generate-flowcraft-stubs`: the same code, written into the package.
        .plugin(
            name: "FlowcraftGenerateCommand",
            capability: .command(
                intent: .custom(
                    verb: "generate-flowcraft-stubs",
                    description: "Write the Swift code generated from each target's Flowcraft blueprints into the package"
                ),
                permissions: [.writeToPackageDirectory(reason: "Writes generated Swift files next to the blueprints")]
            ),
            dependencies: ["flowcraft-generator"]
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
        // Engine-independent semantics scenarios, shared by the in-memory and Redis engine tests.
        .target(name: "FlowcraftScenarios", dependencies: ["Flowcraft"]),
        .testTarget(name: "FlowcraftTests", dependencies: ["Flowcraft", "FlowcraftCompiler", "FlowcraftScenarios"]),
        .testTarget(
            name: "FlowcraftRedisTests",
            dependencies: ["FlowcraftRedis", "FlowcraftCompiler", "FlowcraftScenarios"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
