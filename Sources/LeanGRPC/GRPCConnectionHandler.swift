internal import Logging
internal import NIOCore
internal import NIOHTTP2

/// Asks a connection to shut down: sent with `triggerUserOutboundEvent` on the connection channel.
struct GRPCServerShutdownEvent: Sendable {
  /// Close now (streams are reset, methods cancelled) instead of draining.
  var force: Bool
}

/// The gRPC side of one HTTP/2 connection, right after its `NIOHTTP2Handler` (no stream channels):
/// hands each stream's frames to its ``GRPCServerStream``, writes their frames, keeps the inbound
/// flow-control windows open as messages are consumed, closes the connection when idle, limits the
/// methods running at once, and performs graceful shutdown (GOAWAY, end streaming calls, close when
/// drained).
final class GRPCConnectionHandler: ChannelDuplexHandler {
  typealias InboundIn = HTTP2Frame
  typealias InboundOut = HTTP2Frame
  typealias OutboundIn = HTTP2Frame
  typealias OutboundOut = HTTP2Frame

  private let core: GRPCServerCore
  private let maxIdleTime: TimeAmount?
  private let logger: Logger
  private var machine = GRPCConnectionStateMachine()
  private var context: ChannelHandlerContext?
  private var idleTimer: Scheduled<Void>?
  /// The streams of open calls, by id.
  private var streams: [HTTP2StreamID: GRPCServerStream] = [:]
  private var cachedPeer: String?
  /// Gives up waiting for the PING ACK of graceful shutdown.
  private var secondGoAwayTimer: Scheduled<Void>?
  /// How long graceful shutdown waits for the PING ACK before sending the final GOAWAY.
  private let pingTimeout: TimeAmount = .seconds(5)
  /// The opaque data of the graceful-shutdown PING.
  private static let shutdownPingData = HTTP2PingData(withInteger: 0x4C65_616E_4752_5043)
  /// The inbound window kept open for the connection and for each stream (HTTP/2's initial 65,535).
  static let targetWindowSize = 65_535

  init(core: GRPCServerCore, maxIdleTime: Duration?, maxRunningMethods: Int, logger: Logger) {
    self.core = core
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

  /// Whether graceful shutdown has begun: new streaming calls end at once with UNAVAILABLE.
  var isDraining: Bool { self.machine.isDraining }

  /// The connection's allocator.
  var allocator: ByteBufferAllocator { self.context?.channel.allocator ?? ByteBufferAllocator() }

  /// A method is about to start; `false` when the connection runs as many as it may (the caller
  /// ends the call with RESOURCE_EXHAUSTED).
  func methodStarting() -> Bool {
    self.machine.methodStarting()
  }

  /// A method's Task ended.
  func methodEnded() {
    self.machine.methodEnded()
  }

  /// Writes a frame of stream `id` (sent at the next flush).
  func write(_ payload: HTTP2Frame.FramePayload, on id: HTTP2StreamID, promise: EventLoopPromise<Void>? = nil) {
    guard let context = self.context else {
      promise?.fail(ChannelError.ioOnClosedChannel)
      return
    }
    context.write(self.wrapOutboundOut(HTTP2Frame(streamID: id, payload: payload)), promise: promise)
  }

  /// Sends what was written (coalesced by ``GRPCFlushCoalescingHandler``).
  func flush() {
    self.context?.flush()
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
    let streams = self.streams.values
    self.streams.removeAll()
    for stream in streams { stream.streamClosed() }
    self.idleTimer?.cancel()
    self.idleTimer = nil
    self.secondGoAwayTimer?.cancel()
    self.secondGoAwayTimer = nil
    context.fireChannelInactive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let frame = self.unwrapInboundIn(data)
    switch frame.payload {
    case .headers(let headers):
      let stream: GRPCServerStream
      if let existing = self.streams[frame.streamID] {
        stream = existing
      } else {
        stream = GRPCServerStream(id: frame.streamID, core: self.core, connection: self, eventLoop: context.eventLoop)
        self.streams[frame.streamID] = stream
      }
      stream.receiveHeaders(headers.headers, endStream: headers.endStream)
    case .data(let data):
      guard case .byteBuffer(let buffer) = data.data else { return }
      self.streams[frame.streamID]?.receiveData(buffer, endStream: data.endStream)
    case .ping(let pingData, ack: true) where pingData == Self.shutdownPingData:
      self.secondGoAwayDue()
    default:
      break
    }
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    switch event {
    case let created as NIOHTTP2StreamCreatedEvent:
      self.perform(self.machine.streamOpened(created.streamID))
    case let closed as StreamClosedEvent:
      self.streams.removeValue(forKey: closed.streamID)?.streamClosed()
      self.perform(self.machine.streamClosed(closed.streamID))
    case let window as NIOHTTP2WindowUpdatedEvent:
      // Messages are consumed as they arrive: give the window back once half of it is used.
      if let size = window.inboundWindowSize, size <= Self.targetWindowSize / 2,
        window.streamID == .rootStream || self.streams[window.streamID] != nil
      {
        let update = HTTP2Frame(streamID: window.streamID, payload: .windowUpdate(windowSizeIncrement: Self.targetWindowSize - size))
        context.write(self.wrapOutboundOut(update), promise: nil)
        context.flush()
      }
    default:
      context.fireUserInboundEventTriggered(event)
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    // Stream errors (a reset stream, a protocol error on one stream) end in StreamClosedEvent;
    // a connection error makes NIOHTTP2Handler send GOAWAY with an error code (see `goAwaySent`).
    self.logger.trace("HTTP/2 error", metadata: ["error": "\(error)"])
  }

  /// NIOHTTP2Handler wrote a GOAWAY (through ``GRPCGoAwayWatcher``). One with an error code ends the connection
  /// (RFC 9113 §5.4.1): NIOHTTP2Handler only sends it, so a peer that broke the protocol or tripped its DoS
  /// limits would otherwise keep the socket, and its open streams, as long as it liked.
  func goAwaySent(_ errorCode: HTTP2ErrorCode) {
    guard errorCode != .noError, let context = self.context else { return }
    self.logger.debug("closing a connection after an HTTP/2 connection error", metadata: ["code": "\(errorCode)"])
    Self.closeLater(context)
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
    for stream in self.streams.values where stream.isStreaming {
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

  /// Closes on the next event-loop tick: the actions may come from a stream closing inside
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
