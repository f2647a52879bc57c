internal import Logging
internal import NIOCore
internal import NIOHTTP2

/// Asks a connection to shut down: sent with `triggerUserOutboundEvent` on the connection channel.
struct GRPCServerShutdownEvent: Sendable {
  /// Close now (streams are reset, methods cancelled) instead of draining.
  var force: Bool
}

/// Tells the connection handler about stream creation and closure.
///
/// `configureHTTP2Pipeline(mode:connectionConfiguration:streamConfiguration:inboundStreamInitializer:)`
/// installs the inline multiplexer, which consumes `NIOHTTP2StreamCreatedEvent` and
/// `StreamClosedEvent` instead of firing them down the pipeline: the delegate is the only way to see
/// them. It is called on the event loop, possibly inside `NIOHTTP2Handler`'s write path.
struct GRPCConnectionStreamDelegate: NIOHTTP2StreamDelegate {
  let handler: NIOLoopBound<GRPCConnectionHandler>

  func streamCreated(_ id: HTTP2StreamID, channel: any Channel) {
    self.handler.value.streamOpened(id)
  }

  func streamClosed(_ id: HTTP2StreamID, channel: any Channel) {
    self.handler.value.streamClosed(id)
  }
}

/// Sits after the `NIOHTTP2Handler` of a connection: follows stream creation and closure (through
/// ``GRPCConnectionStreamDelegate``), closes the connection when idle, limits the methods running
/// at once, and performs graceful shutdown (GOAWAY, cancel streams, close when drained).
final class GRPCConnectionHandler: ChannelDuplexHandler {
  typealias InboundIn = HTTP2Frame
  typealias InboundOut = HTTP2Frame
  typealias OutboundIn = HTTP2Frame
  typealias OutboundOut = HTTP2Frame

  private let maxIdleTime: TimeAmount?
  private let logger: Logger
  private var machine = GRPCConnectionStateMachine()
  private var context: ChannelHandlerContext?
  private var idleTimer: Scheduled<Void>?
  /// Streaming calls, cancelled on graceful shutdown.
  private var streamingCalls: [ObjectIdentifier: GRPCStreamHandler] = [:]
  private var cachedPeer: String?
  /// Gives up waiting for the PING ACK of graceful shutdown.
  private var secondGoAwayTimer: Scheduled<Void>?
  /// How long graceful shutdown waits for the PING ACK before sending the final GOAWAY.
  private let pingTimeout: TimeAmount = .seconds(5)
  /// The opaque data of the graceful-shutdown PING.
  private static let shutdownPingData = HTTP2PingData(withInteger: 0x4C65_616E_4752_5043)

  init(maxIdleTime: Duration?, maxRunningMethods: Int, logger: Logger) {
    self.maxIdleTime = maxIdleTime.map { TimeAmount(clamping: $0) }
    self.machine = GRPCConnectionStateMachine(maxRunningMethods: maxRunningMethods)
    self.logger = logger
  }

  /// The remote peer, in grpc-swift's format (`ipv4:host:port`, `ipv6:[host]:port`, `unix:path`).
  var peer: String {
    if let cachedPeer { return cachedPeer }
    let peer = Self.describe(self.context?.channel.remoteAddress)
    self.cachedPeer = peer
    return peer
  }

  /// Registers a streaming call to be ended on graceful shutdown; returns `false` when the
  /// connection is draining already (the caller ends the call with UNAVAILABLE at once).
  func register(_ stream: GRPCStreamHandler) -> Bool {
    guard !self.machine.isDraining else { return false }
    self.streamingCalls[ObjectIdentifier(stream)] = stream
    return true
  }

  func unregister(_ stream: GRPCStreamHandler) {
    self.streamingCalls.removeValue(forKey: ObjectIdentifier(stream))
  }

  /// A method is about to start; `false` when the connection runs as many as it may (the caller
  /// ends the call with RESOURCE_EXHAUSTED).
  func methodStarting() -> Bool {
    self.machine.methodStarting()
  }

  /// A method's Task ended.
  func methodEnded() {
    self.machine.methodEnded()
  }

  /// From ``GRPCConnectionStreamDelegate``.
  func streamOpened(_ id: HTTP2StreamID) {
    self.perform(self.machine.streamOpened(id))
  }

  /// From ``GRPCConnectionStreamDelegate``.
  func streamClosed(_ id: HTTP2StreamID) {
    self.perform(self.machine.streamClosed(id))
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    if context.channel.isActive {
      self.perform(self.machine.connectionActive())
    }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.idleTimer?.cancel()
    self.secondGoAwayTimer?.cancel()
    self.context = nil
  }

  func channelActive(context: ChannelHandlerContext) {
    self.perform(self.machine.connectionActive())
    context.fireChannelActive()
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.idleTimer?.cancel()
    self.idleTimer = nil
    self.secondGoAwayTimer?.cancel()
    self.secondGoAwayTimer = nil
    context.fireChannelInactive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let frame = self.unwrapInboundIn(data)
    if case .ping(let pingData, ack: true) = frame.payload, pingData == Self.shutdownPingData {
      self.secondGoAwayDue()
    }
    context.fireChannelRead(data)
  }

  func triggerUserOutboundEvent(
    context: ChannelHandlerContext,
    event: Any,
    promise: EventLoopPromise<Void>?
  ) {
    guard let shutdown = event as? GRPCServerShutdownEvent else {
      context.triggerUserOutboundEvent(event, promise: promise)
      return
    }
    promise?.succeed()
    if shutdown.force {
      context.close(promise: nil)
      return
    }
    self.perform(self.machine.beginGracefulShutdown())
    let streams = self.streamingCalls.values
    self.streamingCalls.removeAll()
    for stream in streams {
      stream.serverShuttingDown()
    }
  }

  private func perform(_ action: GRPCConnectionStateMachine.Action) {
    guard let context = self.context else { return }
    switch action {
    case .none:
      break
    case .armIdleTimer:
      guard let maxIdleTime = self.maxIdleTime else { return }
      self.idleTimer?.cancel()
      let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
      self.idleTimer = context.eventLoop.scheduleTask(in: maxIdleTime) {
        handler.value.idleTimerFired()
      }
    case .cancelIdleTimer:
      self.idleTimer?.cancel()
      self.idleTimer = nil
    case .sendGoAway(let lastStreamID):
      self.sendGoAway(lastStreamID, context: context)
      context.flush()
    case .sendFirstGoAwayAndPing:
      self.sendGoAway(.maxID, context: context)
      let ping = HTTP2Frame(
        streamID: .rootStream, payload: .ping(Self.shutdownPingData, ack: false))
      context.write(self.wrapOutboundOut(ping), promise: nil)
      context.flush()
      let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
      self.secondGoAwayTimer = context.eventLoop.scheduleTask(in: self.pingTimeout) {
        handler.value.secondGoAwayDue()
      }
    case .sendGoAwayAndClose(let lastStreamID):
      self.sendGoAway(lastStreamID, context: context)
      context.flush()
      Self.closeLater(context)
    case .close:
      Self.closeLater(context)
    }
  }

  /// Closes on the next event-loop tick: the actions may come from the stream delegate, inside
  /// `NIOHTTP2Handler`'s write path, where closing at once could drop the last stream's trailers.
  private static func closeLater(_ context: ChannelHandlerContext) {
    let channel = context.channel
    context.eventLoop.execute { channel.close(promise: nil) }
  }

  private func secondGoAwayDue() {
    self.secondGoAwayTimer?.cancel()
    self.secondGoAwayTimer = nil
    self.perform(self.machine.secondGoAwayDue())
  }

  private func idleTimerFired() {
    self.idleTimer = nil
    self.logger.debug("closing idle connection")
    self.perform(self.machine.idleTimerFired())
  }

  private func sendGoAway(_ lastStreamID: HTTP2StreamID, context: ChannelHandlerContext) {
    let frame = HTTP2Frame(
      streamID: .rootStream,
      payload: .goAway(lastStreamID: lastStreamID, errorCode: .noError, opaqueData: nil)
    )
    context.write(self.wrapOutboundOut(frame), promise: nil)
  }

  private static func describe(_ address: SocketAddress?) -> String {
    guard let address else { return "unknown" }
    switch address {
    case .v4:
      return "ipv4:\(address.ipAddress ?? ""):\(address.port ?? 0)"
    case .v6:
      return "ipv6:[\(address.ipAddress ?? "")]:\(address.port ?? 0)"
    case .unixDomainSocket:
      return "unix:\(address.pathname ?? "")"
    }
  }
}
