// swift-tools-version:6.0
import PackageDescription

// No package dependencies, by the user's request: the toolchain and the system SQLite only.
let package = Package(
    name: "apipodctl",
    products: [
        .executable(name: "apipodctl", targets: ["apipodctl"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSystem",
            path: "Sources/CSystem",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "ApipodKit",
            dependencies: ["CSystem"]
        ),
        .executableTarget(
            name: "apipodctl",
            dependencies: ["ApipodKit"]
        ),
        .executableTarget(
            name: "apipod-hello",
            dependencies: ["ApipodKit"],
            path: "Benchmarks/HelloServer"
        ),
        .target(
            name: "TestSupport",
            dependencies: ["ApipodKit"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "ApipodKitTests",
            dependencies: ["ApipodKit", "TestSupport"]
        ),
        .testTarget(
            name: "apipodctlTests",
            dependencies: ["apipodctl", "ApipodKit", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
