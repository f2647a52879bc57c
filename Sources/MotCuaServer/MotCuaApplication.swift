import Foundation
import LeanGRPC
public import Logging
public import MotCuaDomain
import MotCuaSeeds
import MotCuaStore
public import ServiceLifecycle

/// The running server: gRPC served on swift-nio-http2 (`LeanGRPC`) over the shared core, as a `Service` for
/// swift-service-lifecycle.
public final class MotCuaApplication: ServiceLifecycle.Service, Sendable {
  public let core: MotCuaCore
  public let config: ServerConfig
  private let server: LeanGRPCServer
  private let logger: Logger
  /// The store, and its connection pool on PostgreSQL (running from `init` until `run` returns).
  private let opened: OpenedStore

  /// Opens (and if new, seeds) the database, rebuilds the live views and prepares the gRPC services.
  public init(config: ServerConfig, clock: any WallClock = SystemClock(), logger: Logger) async throws {
    let environment = ProcessInfo.processInfo.environment
    let keyFile: String
    if config.postgres != nil {
      // Every server of a deployment must hash citizens' numbers with the same key: it is never generated here.
      guard environment["MOTCUA_PII_KEY"]?.isEmpty == false || config.piiKeyPath != nil else {
        throw DomainError.failedPrecondition(
          "with --postgres, give every server the same PII key: MOTCUA_PII_KEY or --pii-key-file FILE "
            + "(create it once, e.g. head -c 32 /dev/urandom > FILE)")
      }
      keyFile = config.piiKeyPath ?? ""
    } else {
      keyFile = config.piiKeyPath ?? config.databasePath + ".pii-key"
    }
    let opened = try await OpenedStore.open(
      config.database, logger: logger, enforceCapacity: !config.unsafeDisableCapacityCheck)
    self.opened = opened
    let store = opened.store
    let catalogue = try await Self.catalogue(store: store, seeds: config.seedsDirectory, logger: logger)
    let pii = try PIIHasher.load(
      environment: environment, keyFile: keyFile, logger: logger, mayCreate: config.postgres == nil)
    var options = config.options
    if let path = config.travelConfigurationPath {
      options.travelModel = try TravelConfiguration.load(path: path, catalogue: catalogue)
    }
    let core = try await MotCuaCore.start(store: store, catalogue: catalogue, clock: clock, options: options, pii: pii)
    let bridge = LeanBridge(core: core, logger: logger)
    var transport = GRPCServerConfiguration(host: config.host, port: config.port)
    if let cert = config.tlsCertificatePath, let key = config.tlsKeyPath {
      transport.tls = GRPCServerConfiguration.TLS(certificateChainPath: cert, privateKeyPath: key)
    }
    transport.maxConcurrentStreams = config.maxConcurrentStreams
    transport.maxRequestMessageBytes = config.maxRequestPayloadBytes
    transport.maxIdleTime = .seconds(config.maxIdleSeconds)
    transport.statusForError = { error, path in bridge.status(for: error, path: path) }
    // Every service's methods, from the routing table generated from the contract.
    let tables = [
      DirectoryHandler(core: core).methods(bridge), KioskHandler(core: core).methods(bridge),
      TicketHandler(core: core).methods(bridge), CounterHandler(core: core).methods(bridge),
      DisplayHandler(core: core).methods(bridge), BookingHandler(core: core).methods(bridge),
      ReportHandler(core: core).methods(bridge), SchedulerHandler(core: core).methods(bridge),
      StaffHandler(core: core).methods(bridge),
    ]
    var methods = tables.reduce(into: [String: GRPCMethod]()) { all, table in
      all.merge(table) { _, _ in preconditionFailure("a method path is routed twice") }
    }
    let health = HealthHandler(core: core, serving: methods.keys).methods(bridge)
    methods.merge(health) { _, _ in preconditionFailure("a method path is routed twice") }
    self.server = LeanGRPCServer(configuration: transport, methods: methods, logger: logger)
    self.core = core
    self.config = config
    self.logger = logger
  }

  /// The catalogue from the database, seeding a new database from `seeds` first.
  static func catalogue(store: any MotCuaStore, seeds: String, logger: Logger) async throws -> Catalogue {
    if let stored = try await store.loadCatalogue() {
      // A database seeded before staff were part of the seeds gets them now.
      guard stored.staff.isEmpty, let staff = try? SeedLoader.load(directory: seeds).staff, !staff.isEmpty else {
        return stored
      }
      try await store.saveCatalogue(stored.with(staff: staff))
      logger.info("added staff from the seeds", metadata: ["staff": "\(staff.count)"])
      return try await store.loadCatalogue() ?? stored
    }
    let seeded = try SeedLoader.load(directory: seeds)
    try await store.saveCatalogue(seeded)
    logger.info(
      "seeded a new database",
      metadata: [
        "branches": "\(seeded.branches.count)", "services": "\(seeded.services.count)",
        "counters": "\(seeded.counters.count)", "seeds": "\(seeds)",
      ])
    guard let stored = try await store.loadCatalogue() else { fatalError("the catalogue was just saved") }
    return stored
  }

  /// The address the server listens on, once it does.
  public var listeningAddress: (host: String, port: Int)? {
    get async throws { try await self.server.listeningAddress }
  }

  /// Every half minute: lapse expired holds, mark bookings not checked in NO_SHOW (their capacity goes back
  /// to walk-ins), close the home counters of people whose move is under way, and log a store fault once (health
  /// says NOT_SERVING from the moment it happens). Ends quietly when cancelled (graceful shutdown), so that a
  /// SIGTERM exits cleanly.
  private func sweep() async {
    var faultLogged = false
    while !Task.isCancelled {
      do { try await Task.sleep(for: .seconds(30)) } catch { return }
      if !faultLogged, let fault = self.core.store.fault {
        self.logger.critical("the store refuses every write until the server is restarted", metadata: ["fault": "\(fault)"])
        faultLogged = true
      }
      let now = self.core.clock.now()
      do {
        _ = try await self.core.store.sweepBookings(at: now, policy: self.core.options.appointments)
      } catch {
        self.logger.error("booking sweep failed", metadata: ["error": "\(error)"])
      }
      _ = await self.core.closeHomeCounters(at: now)
    }
  }

  /// Teaches the predictors a long history after the server has started listening (see `learnPredictors`).
  private func learnPredictors() async {
    let started = ContinuousClock.now
    do {
      guard let events = try await self.core.learnPredictors() else { return }
      self.logger.info(
        "wait predictors learned from history", metadata: [
          "events": "\(events)", "seconds": "\((ContinuousClock.now - started).components.seconds)",
        ])
    } catch is CancellationError {
    } catch {
      self.logger.error("wait predictors could not read their history; they learn from new events", metadata: ["error": "\(error)"])
    }
  }

  public func run() async throws {
    defer { self.opened.close() }
    try await withGracefulShutdownHandler {
      try await withThrowingDiscardingTaskGroup { group in
        group.addTask { try await self.server.run() }
        group.addTask { await cancelWhenGracefulShutdown { await self.sweep() } }
        group.addTask { await cancelWhenGracefulShutdown { await self.learnPredictors() } }
        if let store = self.opened.shared {
          let follower = StoreFollower(core: self.core, store: store, logger: self.logger)
          group.addTask { await cancelWhenGracefulShutdown { await follower.run() } }
        }
        if let address = try await self.listeningAddress {
          self.logger.info(
            "listening on \(address.host):\(address.port) (\(self.config.tlsCertificatePath == nil ? "h2c" : "tls")), database \(self.config.database.description)")
        }
        if self.config.options.ignoreOpeningHours {
          self.logger.warning("--ignore-opening-hours: kiosks may issue tickets at any hour")
        }
      }
    } onGracefulShutdown: {
      self.core.beginShutdown()
      self.server.beginGracefulShutdown()
    }
  }
}
