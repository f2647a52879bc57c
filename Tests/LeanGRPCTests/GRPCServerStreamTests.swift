import Logging
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import LeanGRPC

/// The connection handler serving streams on an embedded channel: no sockets, no HTTP/2 codec.
@Suite struct GRPCServerStreamTests {
  static func makeConnection(probe: Probe = Probe()) throws -> (EmbeddedChannel, GRPCConnectionHandler) {
    let core = GRPCServerCore(
      configuration: GRPCServerConfiguration(host: "127.0.0.1", port: 0),
      methods: testMethods(probe: probe), logger: Logger(label: "test"))
    let connection = GRPCConnectionHandler(
      core: core, maxIdleTime: nil, maxRunningMethods: 10, logger: Logger(label: "test"))
    let channel = EmbeddedChannel(handler: connection)
    return (channel, connection)
  }

  static func headers(path: String, extra: [(String, String)] = []) -> HTTP2Frame {
    HTTP2Frame(
      streamID: 1,
      payload: .headers(
        .init(
          headers: HPACKHeaders(
            [
              (":method", "POST"), (":scheme", "http"), (":path", path),
              (":authority", "localhost"), ("content-type", "application/grpc"), ("te", "trailers"),
            ] + extra))))
  }

  static func request(_ payload: [UInt8]) -> HTTP2Frame {
    var buffer = ByteBuffer()
    buffer.writeInteger(UInt8(0))
    buffer.writeInteger(UInt32(payload.count))
    buffer.writeBytes(payload)
    return HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(buffer), endStream: true)))
  }

  static func written(_ channel: EmbeddedChannel) throws -> [HTTP2Frame.FramePayload] {
    var frames: [HTTP2Frame.FramePayload] = []
    while let frame = try channel.readOutbound(as: HTTP2Frame.self) {
      #expect(frame.streamID == 1)
      frames.append(frame.payload)
    }
    return frames
  }

  @Test func largestGRPCTimeoutArmsTheDeadlineWithoutTrapping() throws {
    let (channel, _) = try Self.makeConnection()
    try channel.writeInbound(Self.headers(path: "/test.Test/Echo", extra: [("grpc-timeout", "99999999H")]))
    #expect(try channel.readOutbound(as: HTTP2Frame.self) == nil)
    _ = try channel.finish(acceptAlreadyClosed: true)
  }

  @Test func streamingCallStartingWhileDrainingEndsUnavailableAtOnce() throws {
    let probe = Probe()
    let (channel, _) = try Self.makeConnection(probe: probe)
    channel.pipeline.fireUserInboundEventTriggered(
      NIOHTTP2StreamCreatedEvent(streamID: 1, localInitialWindowSize: 65535, remoteInitialWindowSize: 65535))
    channel.pipeline.triggerUserOutboundEvent(GRPCServerShutdownEvent(force: false), promise: nil)
    channel.embeddedEventLoop.run()
    while try channel.readOutbound(as: HTTP2Frame.self) != nil {}  // the GOAWAY and PING

    try channel.writeInbound(Self.headers(path: "/test.Test/Forever"))
    try channel.writeInbound(Self.request([0]))
    let frames = try Self.written(channel)
    guard frames.count >= 1, case .headers(let trailers) = frames[0] else {
      Issue.record("expected trailers: \(frames)")
      return
    }
    #expect(trailers.endStream)
    #expect(trailers.headers.first(name: "grpc-status") == "14")
    #expect(probe.value("forever.started") == 0)
    _ = try? channel.finish(acceptAlreadyClosed: true)
  }
}

/// A method answered inline runs during the read that completes its request: no Task, no event-loop turn.
@Suite struct GRPCInlineMethodTests {
  func run(_ payload: [UInt8], probe: Probe) throws -> [HTTP2Frame.FramePayload] {
    let (channel, _) = try GRPCServerStreamTests.makeConnection(probe: probe)
    defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
    try channel.writeInbound(GRPCServerStreamTests.headers(path: "/test.Test/Inline"))
    try channel.writeInbound(GRPCServerStreamTests.request(payload))
    // The embedded event loop is not run: whatever was written, was written during the read.
    return try GRPCServerStreamTests.written(channel)
  }

  @Test func answerIsWrittenDuringTheRead() throws {
    let probe = Probe()
    let frames = try self.run([7], probe: probe)
    #expect(frames.count == 3)
    guard frames.count == 3, case .headers(let headers) = frames[0], case .data(let data) = frames[1],
      case .headers(let trailers) = frames[2], case .byteBuffer(var body) = data.data
    else {
      Issue.record("expected headers, one message and trailers: \(frames)")
      return
    }
    #expect(headers.headers.first(name: ":status") == "200")
    #expect(body.readInteger(as: UInt8.self) == 0)
    #expect(body.readInteger(as: UInt32.self) == 2)
    #expect(body.readBytes(length: 2) == [7, 42])
    #expect(trailers.endStream)
    #expect(trailers.headers.first(name: "grpc-status") == "0")
    #expect(probe.value("inline.inline") == 1)
    #expect(probe.value("inline.otherwise") == 0)
  }

  @Test func inlineErrorEndsTheCallWithItsStatus() throws {
    let probe = Probe()
    let frames = try self.run([1], probe: probe)
    guard frames.count == 1, case .headers(let trailers) = frames[0] else {
      Issue.record("expected a trailers-only response: \(frames)")
      return
    }
    #expect(trailers.endStream)
    #expect(trailers.headers.first(name: "grpc-status") == "9")
    #expect(trailers.headers.first(name: "grpc-message") == "refused inline")
    #expect(probe.value("inline.otherwise") == 0)
  }
}

/// Counts the flushes that pass it towards the socket.
final class FlushCounter: ChannelOutboundHandler, @unchecked Sendable {
  typealias OutboundIn = ByteBuffer
  var flushes = 0

  func flush(context: ChannelHandlerContext) {
    self.flushes += 1
    context.flush()
  }
}

/// Writes and flushes one buffer for each read it sees (like streams answering during a read).
final class AnswerOnRead: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    context.writeAndFlush(data, promise: nil)
  }
}

@Suite struct GRPCFlushCoalescingHandlerTests {
  func makeChannel() throws -> (EmbeddedChannel, FlushCounter) {
    let counter = FlushCounter()
    let channel = EmbeddedChannel()
    try channel.pipeline.syncOperations.addHandlers(counter, GRPCFlushCoalescingHandler(), AnswerOnRead())
    return (channel, counter)
  }

  @Test func flushesOutsideAReadLeaveOnceAtTheEndOfTheTurn() throws {
    let (channel, counter) = try self.makeChannel()
    for byte in 1...3 as ClosedRange<UInt8> {
      channel.writeAndFlush(ByteBuffer(bytes: [byte]), promise: nil)
    }
    #expect(counter.flushes == 0)
    #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
    channel.embeddedEventLoop.run()
    #expect(counter.flushes == 1)
    for byte in 1...3 as ClosedRange<UInt8> {
      #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [byte]))
    }
    _ = try channel.finish()
  }

  @Test func answersDuringAReadLeaveAtReadComplete() throws {
    let (channel, counter) = try self.makeChannel()
    channel.pipeline.fireChannelRead(ByteBuffer(bytes: [1]))
    channel.pipeline.fireChannelRead(ByteBuffer(bytes: [2]))
    #expect(counter.flushes == 0)
    channel.pipeline.fireChannelReadComplete()
    #expect(counter.flushes == 1)
    #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [1]))
    #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [2]))
    _ = try channel.finish()
  }

  @Test func closeSendsWhatWasWrittenFirst() throws {
    let (channel, counter) = try self.makeChannel()
    channel.writeAndFlush(ByteBuffer(bytes: [9]), promise: nil)
    #expect(counter.flushes == 0)
    channel.close(promise: nil)
    #expect(counter.flushes == 1)
    #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [9]))
    _ = try? channel.finish(acceptAlreadyClosed: true)
  }
}
