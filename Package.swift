// swift-tools-version:6.0
import PackageDescription

// No package dependencies, by the user's request: the toolchain and the system SQLite only.

// An async function without isolation runs on its caller's executor (SE-0461) instead of
// hopping to the generic one: a connection's task stays on its event loop without paying a
// task switch (and a preferred-executor lookup under a lock) at every call.
let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
let package = Package(
    name: "apipodctl",
    products: [
        .executable(name: "apipodctl", targets: ["apipodctl"]),
        // URLSession for https:// upstreams, opened by `serve` only when it needs it (HTTPSLibrary).
        .library(name: "ApipodHTTPS", type: .dynamic, targets: ["ApipodHTTPS"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSystem",
            path: "Sources/CSystem",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "ApipodKit",
            dependencies: ["CSystem"],
            swiftSettings: swiftSettings
        ),
        // Foundation lives here and nowhere else in Sources: ApipodKit calls it through C entry
        // points, so the library holds no copy of ApipodKit.
        .target(
            name: "ApipodHTTPS",
            swiftSettings: swiftSettings
        ),
        // The commands and their hand-rolled parser; a library so the tests import it without
        // linking the executable's static runtime.
        .target(
            name: "ApipodCLI",
            dependencies: ["ApipodKit"],
            path: "Sources/apipodctl",
            exclude: ["Main"],
            swiftSettings: swiftSettings
        ),
        // The Swift runtime linked in (-static-stdlib): an admin command starts in half the time
        // without resolving libswiftCore's relocations (docs/benchmarks.md, session 10).
        .executableTarget(
            name: "apipodctl",
            dependencies: ["ApipodCLI"],
            path: "Sources/apipodctl/Main",
            swiftSettings: swiftSettings,
            linkerSettings: [.unsafeFlags(["-static-stdlib"])]
        ),
        .executableTarget(
            name: "apipod-hello",
            dependencies: ["ApipodKit"],
            path: "Benchmarks/HelloServer",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "apipod-routing-bench",
            dependencies: ["ApipodKit"],
            path: "Benchmarks/RoutingBench",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: ["ApipodKit"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ApipodKitTests",
            dependencies: ["ApipodKit", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "apipodctlTests",
            dependencies: ["ApipodCLI", "ApipodKit", "TestSupport"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
