import Logging
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import LeanGRPC

/// The stream handler on embedded channels: no sockets, no method Tasks.
@Suite struct GRPCStreamHandlerTests {
  static func makeCore() -> GRPCServerCore {
    GRPCServerCore(
      configuration: GRPCServerConfiguration(host: "127.0.0.1", port: 0),
      methods: testMethods(probe: Probe()), logger: Logger(label: "test"))
  }

  static func headers(path: String, extra: [(String, String)] = []) -> HTTP2Frame.FramePayload {
    .headers(
      .init(
        headers: HPACKHeaders(
          [
            (":method", "POST"), (":scheme", "http"), (":path", path),
            (":authority", "localhost"), ("content-type", "application/grpc"), ("te", "trailers"),
          ] + extra)))
  }

  static func request(_ payload: [UInt8]) -> HTTP2Frame.FramePayload {
    var buffer = ByteBuffer()
    buffer.writeInteger(UInt8(0))
    buffer.writeInteger(UInt32(payload.count))
    buffer.writeBytes(payload)
    return .data(.init(data: .byteBuffer(buffer), endStream: true))
  }

  @Test func largestGRPCTimeoutArmsTheDeadlineWithoutTrapping() throws {
    let connection = GRPCConnectionHandler(
      maxIdleTime: nil, maxRunningMethods: 10, logger: Logger(label: "test"))
    let channel = EmbeddedChannel(
      handler: GRPCStreamHandler(core: Self.makeCore(), connection: connection))
    try channel.writeInbound(
      Self.headers(path: "/test.Test/Echo", extra: [("grpc-timeout", "99999999H")]))
    #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)
    _ = try channel.finish(acceptAlreadyClosed: true)
  }

  @Test func streamingCallStartingWhileDrainingEndsUnavailableAtOnce() throws {
    let connection = GRPCConnectionHandler(
      maxIdleTime: nil, maxRunningMethods: 10, logger: Logger(label: "test"))
    let parent = EmbeddedChannel(handler: connection)
    parent.pipeline.triggerUserOutboundEvent(GRPCServerShutdownEvent(force: false), promise: nil)
    parent.embeddedEventLoop.run()

    let probe = Probe()
    let core = GRPCServerCore(
      configuration: GRPCServerConfiguration(host: "127.0.0.1", port: 0),
      methods: testMethods(probe: probe), logger: Logger(label: "test"))
    let stream = EmbeddedChannel(handler: GRPCStreamHandler(core: core, connection: connection))
    try stream.writeInbound(Self.headers(path: "/test.Test/Forever"))
    try stream.writeInbound(Self.request([0]))
    guard case .headers(let trailers) = try stream.readOutbound(as: HTTP2Frame.FramePayload.self)
    else {
      Issue.record("expected trailers")
      return
    }
    #expect(trailers.endStream)
    #expect(trailers.headers.first(name: "grpc-status") == "14")
    #expect(probe.value("forever.started") == 0)
    _ = try stream.finish(acceptAlreadyClosed: true)
    _ = try? parent.finish(acceptAlreadyClosed: true)
  }
}
