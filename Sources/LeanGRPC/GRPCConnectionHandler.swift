internal import Logging
internal import NIOCore
internal import NIOHTTP2

/// Asks a connection to shut down: sent with `triggerUserOutboundEvent` on the connection channel.
struct GRPCServerShutdownEvent: Sendable {
  /// Close now (streams are reset, methods cancelled) instead of draining.
  var force: Bool
}

/// Sits after the `NIOHTTP2Handler` of a connection: follows stream creation and closure, closes the
/// connection when idle, and performs graceful shutdown (GOAWAY, cancel streams, close when drained).
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

  init(maxIdleTime: Duration?, logger: Logger) {
    self.maxIdleTime = maxIdleTime.map {
      let components = $0.components
      return .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
    self.logger = logger
  }

  /// The remote peer, in grpc-swift's format (`ipv4:host:port`, `ipv6:[host]:port`, `unix:path`).
  var peer: String {
    if let cachedPeer { return cachedPeer }
    let peer = Self.describe(self.context?.channel.remoteAddress)
    self.cachedPeer = peer
    return peer
  }

  func register(_ stream: GRPCStreamHandler) {
    self.streamingCalls[ObjectIdentifier(stream)] = stream
  }

  func unregister(_ stream: GRPCStreamHandler) {
    self.streamingCalls.removeValue(forKey: ObjectIdentifier(stream))
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    if context.channel.isActive {
      self.perform(self.machine.connectionActive())
    }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.idleTimer?.cancel()
    self.context = nil
  }

  func channelActive(context: ChannelHandlerContext) {
    self.perform(self.machine.connectionActive())
    context.fireChannelActive()
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.idleTimer?.cancel()
    self.idleTimer = nil
    context.fireChannelInactive()
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if let created = event as? NIOHTTP2StreamCreatedEvent {
      self.perform(self.machine.streamOpened(created.streamID))
    } else if let closed = event as? StreamClosedEvent {
      self.perform(self.machine.streamClosed(closed.streamID))
    }
    context.fireUserInboundEventTriggered(event)
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
    case .sendGoAwayAndClose(let lastStreamID):
      self.sendGoAway(lastStreamID, context: context)
      context.flush()
      context.close(promise: nil)
    case .close:
      context.close(promise: nil)
    }
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
