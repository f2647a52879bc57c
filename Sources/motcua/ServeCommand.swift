import ArgumentParser
import Logging
import MotCuaServer
import ServiceLifecycle
import StageCPU
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve", abstract: "Run the gRPC server (creates and seeds the database on first start).")

  @OptionGroup var database: DatabaseOptions
  @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free one).") var listen = "127.0.0.1:50051"
  @Option(help: "Seed directory for a new database.") var seeds = "seeds"
  @Flag(help: "Let kiosks issue tickets at any hour (demos, tests at night).") var ignoreOpeningHours = false
  @Option(help: "TLS certificate chain (PEM); with --tls-key the server speaks TLS.") var tlsCert: String?
  @Option(help: "TLS private key (PEM).") var tlsKey: String?
  @Option(help: "Unauthenticated requests per second allowed per client address (bursts of twice that).")
  var anonymousRate: Double = 20
  @Option(help: "File with the key for citizens' keyed hashes (default: DB.pii-key; MOTCUA_PII_KEY overrides).")
  var piiKeyFile: String?
  @Option(help: "Minutes of predicted wait (now or in 30 minutes) at which a branch counts as overloaded.")
  var alertThresholdMinutes = 45
  @Option(help: "Travel-time configuration (JSON: detour factor, speeds, measured trips; see README).")
  var travel: String?
  @Flag(
    inversion: .prefixedNo,
    help: "SQLite: let concurrent commands share one transaction and its fsync (--no-group-commit: one each).")
  var groupCommit = true
  @Flag(help: .hidden) var unsafeDisableCapacityCheck = false
  @Flag(
    help: """
      Measure the CPU spent per stage of serving calls (decode, predict, suggest, store, live views, encode); \
      SIGUSR1 logs the totals so far, in µs (for the performance benchmark).
      """)
  var stageCPU = false

  func validate() throws {
    guard (self.tlsCert == nil) == (self.tlsKey == nil) else {
      throw ValidationError("--tls-cert and --tls-key go together")
    }
    guard self.anonymousRate > 0 else { throw ValidationError("--anonymous-rate must be positive") }
    guard (1...1440).contains(self.alertThresholdMinutes) else {
      throw ValidationError("--alert-threshold-minutes must be 1–1440")
    }
    _ = try self.address()
  }

  func address() throws -> (String, Int) {
    guard let colon = self.listen.lastIndex(of: ":"), let port = Int(self.listen[self.listen.index(after: colon)...]),
      (0...65535).contains(port)
    else { throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:50051") }
    return (String(self.listen[..<colon]), port)
  }

  func run() async throws {
    LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
    var logger = Logger(label: "motcua")
    logger.logLevel = .info
    let (host, port) = try self.address()
    let config = ServerConfig(
      databasePath: self.database.db, host: host, port: port, seedsDirectory: self.seeds, tlsCertificatePath: self.tlsCert,
      tlsKeyPath: self.tlsKey,
      options: .init(
        ignoreOpeningHours: self.ignoreOpeningHours, anonymousRatePerSecond: self.anonymousRate,
        alertThresholdMinutes: self.alertThresholdMinutes))
    var serverConfig = config
    serverConfig.travelConfigurationPath = self.travel
    serverConfig.piiKeyPath = self.piiKeyFile
    serverConfig.unsafeDisableCapacityCheck = self.unsafeDisableCapacityCheck
    serverConfig.sqliteGroupCommit = self.groupCommit
    serverConfig.postgres = self.database.postgresSettings
    if self.database.allowUnsafeDurability { logger.critical("--allow-unsafe-durability: acknowledged commands may be lost") }
    if self.unsafeDisableCapacityCheck { logger.critical("--unsafe-disable-capacity-check: slots can be overbooked (tests only)") }
    let app = try await MotCuaApplication(config: serverConfig, logger: logger)
    var groupConfig = ServiceGroupConfiguration(
      services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    groupConfig.maximumGracefulShutdownDuration = .seconds(10)
    guard self.stageCPU else { return try await ServiceGroup(configuration: groupConfig).run() }
    StageCPU.shared.enable()
    // Trapped before the server starts: until then SIGUSR1 would still end the process.
    let signals = await UnixSignalsSequence(trapping: .sigusr1)
    let reporter = Task {
      for await _ in signals {
        logger.info("stage CPU µs: \(StageCPU.shared.summary)")
      }
    }
    defer { reporter.cancel() }
    try await ServiceGroup(configuration: groupConfig).run()
  }
}
