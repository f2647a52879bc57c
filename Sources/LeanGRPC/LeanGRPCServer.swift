public import Logging
internal import NIOCore
internal import NIOHTTP2
internal import NIOPosix
internal import NIOSSL
internal import NIOTLS
internal import Synchronization

/// A gRPC server served directly on swift-nio-http2: routes each stream by `:path` to a byte-level
/// ``GRPCMethod`` and speaks gRPC's PROTOCOL-HTTP2 around it.
public final class LeanGRPCServer: Sendable {
  /// An accepted connection; `configured` once its HTTP/2 pipeline is in place (after the TLS
  /// handshake and ALPN when serving TLS). Until then it has no connection handler to drain it.
  private struct Connection {
    var channel: any Channel
    var configured = false
  }

  private struct State {
    var listener: (any Channel)?
    var address: (host: String, port: Int)?
    var failed = false
    var addressWaiters: [CheckedContinuation<(host: String, port: Int), any Error>] = []
    var connections: [ObjectIdentifier: Connection] = [:]
    var shuttingDown = false
    var drainWaiter: CheckedContinuation<Void, Never>?
    var listenerClosed = false
  }

  private let core: GRPCServerCore
  private let state = Mutex(State())

  /// Creates a server; nothing is bound until ``run()``.
  ///
  /// - Parameters:
  ///   - methods: the methods served, keyed by path (`"/pkg.Service/Method"`).
  public init(configuration: GRPCServerConfiguration, methods: [String: GRPCMethod], logger: Logger) {
    self.core = GRPCServerCore(configuration: configuration, methods: methods, logger: logger)
  }

  /// The bound address, once bound (waits until then).
  ///
  /// - Throws: when the server failed to bind or has stopped before binding.
  public var listeningAddress: (host: String, port: Int)? {
    get async throws {
      try await withCheckedThrowingContinuation { continuation in
        let result: Result<(host: String, port: Int), any Error>? = self.state.withLock { state in
          if let address = state.address { return .success(address) }
          if state.failed || state.listenerClosed {
            return .failure(GRPCStatus(.unavailable, "the server is not listening"))
          }
          state.addressWaiters.append(continuation)
          return nil
        }
        if let result { continuation.resume(with: result) }
      }
    }
  }

  /// Binds and serves until ``beginGracefulShutdown()`` and the calls in flight finish, or until
  /// the calling Task is cancelled (then calls are cancelled and connections closed). Returns only
  /// once every method's Task has ended.
  ///
  /// - Throws: when binding fails or the TLS files cannot be loaded.
  public func run() async throws {
    let configuration = self.core.configuration
    let listener: any Channel
    do {
      let sslContext = try configuration.tls.map { try Self.makeSSLContext($0) }
      listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .serverChannelOption(.backlog, value: 256)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { [self] channel in
          channel.eventLoop.makeCompletedFuture {
            try self.configureConnection(channel, sslContext: sslContext)
          }
        }
        .bind(host: configuration.host, port: configuration.port)
        .get()
    } catch {
      let waiters = self.state.withLock { state in
        state.failed = true
        defer { state.addressWaiters = [] }
        return state.addressWaiters
      }
      for waiter in waiters { waiter.resume(throwing: error) }
      throw error
    }

    let address = (host: listener.localAddress?.ipAddress ?? configuration.host,
                   port: listener.localAddress?.port ?? configuration.port)
    let (waiters, closeNow) = self.state.withLock { state in
      state.listener = listener
      state.address = address
      defer { state.addressWaiters = [] }
      return (state.addressWaiters, state.shuttingDown)
    }
    for waiter in waiters { waiter.resume(returning: address) }
    self.core.logger.debug(
      "gRPC server listening", metadata: ["host": "\(address.host)", "port": "\(address.port)"])
    if closeNow { listener.close(promise: nil) }

    await withTaskCancellationHandler {
      try? await listener.closeFuture.get()
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let drained = self.state.withLock { state in
          state.listenerClosed = true
          if state.connections.isEmpty { return true }
          state.drainWaiter = continuation
          return false
        }
        if drained { continuation.resume() }
      }
      // Methods whose call is over may still be running (cancelled, not yet returned).
      await self.core.methodTasks.waitUntilNoneRunning()
    } onCancel: {
      self.shutDown(force: true)
    }
    self.core.logger.debug("gRPC server stopped")
  }

  /// Stops accepting connections, sends GOAWAY on every connection, ends server-streaming calls
  /// (UNAVAILABLE, method cancelled) and lets unary calls in flight finish; ``run()`` returns once
  /// the last connection has closed.
  public func beginGracefulShutdown() {
    self.shutDown(force: false)
  }

  private func shutDown(force: Bool) {
    let (listener, connections) = self.state.withLock { state in
      state.shuttingDown = true
      return (state.listener, Array(state.connections.values))
    }
    listener?.close(promise: nil)
    for connection in connections {
      if force || !connection.configured {
        // Without an HTTP/2 pipeline yet (TLS handshake or ALPN pending) there is nothing to drain.
        connection.channel.close(promise: nil)
      } else {
        connection.channel.triggerUserOutboundEvent(
          GRPCServerShutdownEvent(force: false), promise: nil)
      }
    }
  }

  // MARK: - Connections

  private func configureConnection(_ channel: any Channel, sslContext: NIOSSLContext?) throws {
    let id = ObjectIdentifier(channel)
    let shuttingDown = self.state.withLock { state in
      state.connections[id] = Connection(channel: channel)
      return state.shuttingDown
    }
    channel.closeFuture.whenComplete { [self] _ in
      let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
        state.connections.removeValue(forKey: id)
        guard state.connections.isEmpty, state.listenerClosed else { return nil }
        defer { state.drainWaiter = nil }
        return state.drainWaiter
      }
      waiter?.resume()
    }
    if shuttingDown {
      channel.close(promise: nil)
      return
    }

    let sync = channel.pipeline.syncOperations
    if let sslContext {
      // A client that never finishes the handshake must not hold the descriptor forever.
      let handshakeTimer = channel.eventLoop.scheduleTask(
        in: TimeAmount(clamping: self.core.configuration.handshakeTimeout)
      ) { [self] in
        let configured = self.state.withLock { $0.connections[id]?.configured ?? true }
        if !configured {
          self.core.logger.debug("closing a connection whose TLS handshake did not finish in time")
          channel.close(promise: nil)
        }
      }
      channel.closeFuture.whenComplete { _ in handshakeTimer.cancel() }
      try sync.addHandler(NIOSSLServerHandler(context: sslContext))
      try sync.addHandler(
        ApplicationProtocolNegotiationHandler { [self] result, channel in
          handshakeTimer.cancel()
          guard case .negotiated("h2") = result else {
            self.core.logger.debug("refusing a TLS connection without ALPN h2")
            return channel.close()
          }
          return channel.eventLoop.makeCompletedFuture {
            try self.configureHTTP2(channel)
          }
        }
      )
    } else {
      try self.configureHTTP2(channel)
    }
  }

  /// Puts the HTTP/2 pipeline in place, then marks the connection configured; if shutdown began
  /// meanwhile (e.g. during the TLS handshake), starts the connection's own graceful shutdown.
  private func configureHTTP2(_ channel: any Channel) throws {
    try Self.configureHTTP2(channel, core: self.core)
    let id = ObjectIdentifier(channel)
    let shuttingDown = self.state.withLock { state in
      state.connections[id]?.configured = true
      return state.shuttingDown
    }
    if shuttingDown {
      channel.triggerUserOutboundEvent(GRPCServerShutdownEvent(force: false), promise: nil)
    }
  }

  private static func configureHTTP2(_ channel: any Channel, core: GRPCServerCore) throws {
    let configuration = core.configuration
    var connectionConfiguration = NIOHTTP2Handler.ConnectionConfiguration()
    connectionConfiguration.initialSettings = [
      HTTP2Setting(parameter: .maxConcurrentStreams, value: configuration.maxConcurrentStreams),
      HTTP2Setting(parameter: .maxHeaderListSize, value: configuration.maxHeaderListSize),
      HTTP2Setting(parameter: .enablePush, value: 0),
    ]
    // No stream channels: the connection handler serves every stream itself (see GRPCConnectionHandler).
    let connectionHandler = GRPCConnectionHandler(
      core: core,
      maxIdleTime: configuration.maxIdleTime,
      maxRunningMethods: configuration.maxConcurrentStreams,
      logger: core.logger
    )
    let sync = channel.pipeline.syncOperations
    try sync.addHandler(GRPCFlushCoalescingHandler())
    try sync.addHandler(
      NIOHTTP2Handler(
        mode: .server, frameDelegate: GRPCGoAwayWatcher(connection: connectionHandler),
        connectionConfiguration: connectionConfiguration))
    try sync.addHandler(connectionHandler)
  }

  private static func makeSSLContext(_ tls: GRPCServerConfiguration.TLS) throws -> NIOSSLContext {
    let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChainPath)
    var tlsConfiguration = TLSConfiguration.makeServerConfiguration(
      certificateChain: chain.map { .certificate($0) },
      privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem))
    )
    tlsConfiguration.applicationProtocols = ["h2"]
    return try NIOSSLContext(configuration: tlsConfiguration)
  }
}
