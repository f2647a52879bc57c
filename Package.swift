// swift-tools-version:6.1
import PackageDescription

let products: [Product] = [
  .executable(name: "motcua", targets: ["motcua"]),
  .library(name: "MotCuaServer", targets: ["MotCuaServer"]),
]

let dependencies: [Package.Dependency] = [
  .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
  .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
  .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
  .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
  .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
  .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
  .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
  .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
  .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
  .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
  .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
  .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
  .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
]

/// Swift 6 language mode and the upcoming features grpc-swift-2 builds with.
let settings: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("InternalImportsByDefault"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

let targets: [Target] = [
  // Pure modules: no NIO, gRPC, GRDB or Logging. The package graph enforces it.
  .target(name: "MotCuaDomain", swiftSettings: settings),
  .target(name: "QueueEngine", dependencies: ["MotCuaDomain"], swiftSettings: settings),
  // The predictor simulates the queue on every ticket: optimised even in debug builds, or tests crawl.
  .target(
    name: "WaitPrediction", dependencies: ["MotCuaDomain"],
    swiftSettings: settings + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
  .target(name: "Appointments", dependencies: ["MotCuaDomain"], swiftSettings: settings),
  .target(name: "CityScheduler", dependencies: ["MotCuaDomain"], swiftSettings: settings),
  // Staff sizing (Erlang C / Erlang A) and the rebalancing planner: optimised, plans are searched in requests.
  .target(
    name: "StaffPlanning", dependencies: ["MotCuaDomain", "CityScheduler"],
    swiftSettings: settings + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
  // A discrete-event simulation of a city day that drives the scheduler's policies: optimised like the predictor.
  .target(
    name: "CitySimulation", dependencies: ["MotCuaDomain", "CityScheduler"],
    swiftSettings: settings + [.unsafeFlags(["-O"], .when(configuration: .debug))]),

  // CPU time per stage of serving a call, for the performance benchmark (off unless enabled).
  .target(name: "StageCPU", swiftSettings: settings),

  // Storage: the protocol, then one driver per database.
  .target(
    name: "MotCuaStore", dependencies: ["MotCuaDomain", "QueueEngine", "Appointments"], swiftSettings: settings),
  .target(
    name: "MotCuaSQLite",
    dependencies: [
      "MotCuaStore", "MotCuaDomain", "QueueEngine", "Appointments", "StageCPU",
      .product(name: "GRDB", package: "GRDB.swift"),
      .product(name: "GRDBSQLite", package: "GRDB.swift"),  // sqlite3_wal_hook (WALCheckpointer)
    ],
    swiftSettings: settings
  ),
  .target(
    name: "MotCuaPostgres",
    dependencies: [
      "MotCuaStore", "MotCuaDomain", "QueueEngine", "Appointments",
      .product(name: "PostgresNIO", package: "postgres-nio"),
      .product(name: "Logging", package: "swift-log"),
    ],
    swiftSettings: settings
  ),

  // gRPC served directly on swift-nio-http2: the wire protocol, routing by path, deadlines, streaming. Knows
  // nothing of MotCua or protobuf: methods take and return message bytes.
  .target(
    name: "LeanGRPC",
    dependencies: [
      .product(name: "NIOCore", package: "swift-nio"),
      .product(name: "NIOPosix", package: "swift-nio"),
      .product(name: "NIOHTTP2", package: "swift-nio-http2"),
      .product(name: "NIOHPACK", package: "swift-nio-http2"),
      .product(name: "NIOSSL", package: "swift-nio-ssl"),
      .product(name: "NIOTLS", package: "swift-nio"),
      .product(name: "Logging", package: "swift-log"),
    ],
    swiftSettings: settings
  ),

  // Seed data files → domain catalogue.
  .target(name: "MotCuaSeeds", dependencies: ["MotCuaDomain"], swiftSettings: settings),

  // Generated code only (scripts/generate-protos.sh): the contract's messages …
  .target(
    name: "MotCuaProtocol",
    dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
    swiftSettings: settings
  ),
  // … and grpc-swift-2 client stubs, for the Swift tests' client (an independent gRPC implementation).
  .target(
    name: "MotCuaClients",
    dependencies: [
      "MotCuaProtocol",
      .product(name: "GRPCCore", package: "grpc-swift-2"),
      .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
      .product(name: "SwiftProtobuf", package: "swift-protobuf"),
    ],
    swiftSettings: settings
  ),

  // gRPC services: map proto ⇄ domain, auth, errors → status.
  .target(
    name: "MotCuaServer",
    dependencies: [
      "MotCuaDomain", "QueueEngine", "Appointments", "CityScheduler", "MotCuaStore", "MotCuaSQLite", "MotCuaPostgres",
      "MotCuaSeeds", "MotCuaProtocol", "StaffPlanning", "WaitPrediction", "LeanGRPC", "StageCPU",
      .product(name: "GRDB", package: "GRDB.swift"),
      .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      .product(name: "Logging", package: "swift-log"),
      .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      .product(name: "Crypto", package: "swift-crypto"),
    ],
    swiftSettings: settings
  ),

  // Thin @main: parse options, call MotCuaServer.
  .executableTarget(
    name: "motcua",
    dependencies: [
      "MotCuaServer", "MotCuaDomain", "WaitPrediction", "CitySimulation", "CityScheduler", "MotCuaSeeds", "StaffPlanning",
      "MotCuaPostgres", "StageCPU",
      .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      .product(name: "UnixSignals", package: "swift-service-lifecycle"),
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
      .product(name: "Logging", package: "swift-log"),
    ],
    swiftSettings: settings
  ),

  .testTarget(name: "StageCPUTests", dependencies: ["StageCPU"], swiftSettings: settings),
  .testTarget(name: "QueueEngineTests", dependencies: ["QueueEngine", "MotCuaDomain"], swiftSettings: settings),
  .testTarget(name: "AppointmentsTests", dependencies: ["Appointments", "MotCuaDomain"], swiftSettings: settings),
  .testTarget(name: "CitySchedulerTests", dependencies: ["CityScheduler", "MotCuaDomain"], swiftSettings: settings),
  .testTarget(
    name: "StaffPlanningTests", dependencies: ["StaffPlanning", "MotCuaDomain", "CityScheduler"],
    swiftSettings: settings),
  .testTarget(
    name: "CitySimulationTests", dependencies: ["CitySimulation", "CityScheduler", "MotCuaDomain", "MotCuaSeeds"],
    swiftSettings: settings),
  .testTarget(name: "WaitPredictionTests", dependencies: ["WaitPrediction", "MotCuaDomain"], swiftSettings: settings),
  .testTarget(
    name: "MotCuaStoreTests",
    dependencies: [
      "MotCuaStore", "MotCuaSQLite", "MotCuaPostgres", "MotCuaDomain", "QueueEngine", "MotCuaSeeds", "Appointments",
      .product(name: "GRDB", package: "GRDB.swift"),
    ],
    swiftSettings: settings
  ),
  .testTarget(
    name: "LeanGRPCTests",
    dependencies: [
      "LeanGRPC",
      .product(name: "NIOCore", package: "swift-nio"),
      .product(name: "NIOPosix", package: "swift-nio"),
      .product(name: "NIOHTTP2", package: "swift-nio-http2"),
      .product(name: "NIOHPACK", package: "swift-nio-http2"),
      .product(name: "NIOEmbedded", package: "swift-nio"),
      .product(name: "GRPCCore", package: "grpc-swift-2"),
      .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
    ],
    swiftSettings: settings
  ),
  .testTarget(
    name: "MotCuaServerTests",
    dependencies: [
      "MotCuaServer", "MotCuaProtocol", "MotCuaClients", "MotCuaDomain", "MotCuaSeeds", "MotCuaStore", "MotCuaSQLite", "Appointments",
      "CityScheduler",
      .product(name: "GRPCCore", package: "grpc-swift-2"),
      .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
    ],
    swiftSettings: settings
  ),
]

let package = Package(
  name: "motcua",
  platforms: [.macOS(.v15)],
  products: products,
  dependencies: dependencies,
  targets: targets
)
