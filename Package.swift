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
        // Metrics middleware; a product of its own so that apps without it don't build swift-metrics.
        .library(name: "FlowcraftObservability", targets: ["FlowcraftObservability"]),
        // Run history in a SQLite file for the in-memory engine; a product of its own so that apps
        // without it (and the core) never build or link SQLite.
        .library(name: "FlowcraftSQLite", targets: ["FlowcraftSQLite"]),
        // The web dashboard; a product of its own so that apps without it don't build Hummingbird (swift-nio).
        .library(name: "FlowcraftDashboard", targets: ["FlowcraftDashboard"]),
        .executable(name: "flowcraft", targets: ["flowcraft"]),
        .plugin(name: "FlowcraftPlugin", targets: ["FlowcraftPlugin"]),
        .plugin(name: "FlowcraftGenerateCommand", targets: ["FlowcraftGenerateCommand"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // `swift package generate-documentation`: a command plugin only, nothing is linked into targets.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // The dashboard's HTTP server (FlowcraftDashboard and the CLI only).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Already built for Hummingbird; named for the dashboard's own header names.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Already built for Hummingbird; its NIOEmbedded channel backs the dashboard tests' router client.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
    ],
    targets: [
        // System libraries from Debian's libyaml-dev and libhiredis-dev (hiredis: RESP encoding and parsing only).
        .systemLibrary(name: "CLibYAML", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        // Debian's libssl-dev (OpenSSL 3) for the Redis client's TLS transport.
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        // Debian's libsqlite3-dev, for FlowcraftSQLite only.
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),

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
                "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The Lua scripts: real `.lua` files, embedded as Swift strings at build time by
            // FlowcraftLuaPlugin (no resource bundle to find at run time).
            exclude: ["Lua"],
            plugins: ["FlowcraftLuaPlugin"]
        ),
        // FlowcraftLuaPlugin's tool: Foundation only.
        .executableTarget(name: "flowcraft-lua-embedder"),
        .plugin(name: "FlowcraftLuaPlugin", capability: .buildTool(), dependencies: ["flowcraft-lua-embedder"]),
        .target(
            name: "FlowcraftObservability",
            dependencies: [
                "Flowcraft",
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(name: "FlowcraftSQLite", dependencies: ["Flowcraft", "CSQLite"]),
        // The web dashboard: pages over the run history and the queue; never imports the compiler.
        .target(
            name: "FlowcraftDashboard",
            dependencies: [
                "Flowcraft",
                "FlowcraftRedis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "flowcraft",
            dependencies: [
                "FlowcraftCompiler",
                "Flowcraft",
                "FlowcraftRedis",
                "FlowcraftSQLite",
                "FlowcraftDashboard",
                .product(name: "Hummingbird", package: "hummingbird"),
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
        // The README's main command: runs Blueprints/ in memory with stubs generated by the plugin.
        .executableTarget(
            name: "flowcraft-example",
            dependencies: ["Flowcraft", "FlowcraftRedis"],
            path: "Examples/FlowcraftExample",
            plugins: ["FlowcraftPlugin"]
        ),
        .executableTarget(
            name: "flowcraft-benchmark",
            dependencies: ["FlowcraftCompiler", "Flowcraft", "FlowcraftRedis", "FlowcraftObservability", "FlowcraftSQLite"],
            path: "Benchmarks/FlowcraftBenchmark"
        ),

        .testTarget(name: "FlowcraftModelTests", dependencies: ["FlowcraftModel"]),
        // Compiles the golden generated files (checked by FlowcraftCompilerTests) and runs them.
        .testTarget(name: "FlowcraftGeneratedTests", dependencies: ["Flowcraft"]),
        .testTarget(
            name: "FlowcraftCompilerTests",
            dependencies: ["FlowcraftCompiler"],
            resources: [.copy("Fixtures")]
        ),
        // The `flowcraft` command's tests: they run the built executable as a user would.
        .testTarget(name: "FlowcraftCLITests", dependencies: ["flowcraft", "Flowcraft", "FlowcraftSQLite"]),
        // Engine-independent semantics scenarios, shared by the in-memory and Redis engine tests.
        .target(name: "FlowcraftScenarios", dependencies: ["Flowcraft"]),
        .testTarget(name: "FlowcraftTests", dependencies: ["Flowcraft", "FlowcraftCompiler", "FlowcraftScenarios"]),
        .testTarget(name: "FlowcraftSQLiteTests", dependencies: ["FlowcraftSQLite", "Flowcraft", "FlowcraftScenarios"]),
        .testTarget(
            name: "FlowcraftObservabilityTests",
            dependencies: [
                "FlowcraftObservability",
                "Flowcraft",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "FlowcraftDashboardTests",
            dependencies: [
                "FlowcraftDashboard", "Flowcraft", "FlowcraftRedis", "FlowcraftCompiler",
                .product(name: "Hummingbird", package: "hummingbird"),
                // In-process router tests use a small harness of their own (Support/RouterTestClient),
                // not HummingbirdTesting, which would build an HTTP client and BoringSSL.
                .product(name: "NIOEmbedded", package: "swift-nio"),
                // The browser test runs the worker and the dashboard in one ServiceGroup.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "FlowcraftRedisTests",
            dependencies: [
                "FlowcraftRedis", "FlowcraftCompiler", "FlowcraftScenarios", "FlowcraftObservability",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                // The README's worker-in-a-ServiceGroup snippet is run by a test.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
