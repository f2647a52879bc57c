import Foundation
import NIOCore
import NIOHPACK
import Testing

@testable import LeanGRPC

@Suite struct GRPCServerStreamStateMachineTests {
  typealias Machine = GRPCServerStreamStateMachine

  static let limits = Machine.Limits(maxRequestMessageBytes: 64 * 1024, maxResponseMessageBytes: 1024)

  static func requestHeaders(
    path: String = "/test.Test/Echo",
    contentType: String = "application/grpc",
    extra: [(String, String)] = []
  ) -> HPACKHeaders {
    HPACKHeaders(
      [
        (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "localhost"),
        ("content-type", contentType), ("te", "trailers"), ("user-agent", "test"),
      ] + extra)
  }

  static func route(_ path: String) -> GRPCMethodKind? {
    switch path {
    case "/test.Test/Echo": return .unary
    case "/test.Test/Stream": return .serverStreaming
    default: return nil
    }
  }

  static func framed(_ payload: [UInt8], flag: UInt8 = 0) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.writeInteger(flag)
    buffer.writeInteger(UInt32(payload.count))
    buffer.writeBytes(payload)
    return buffer
  }

  /// A machine that accepted headers for `path`.
  static func accepted(
    path: String = "/test.Test/Echo",
    extra: [(String, String)] = []
  ) -> Machine {
    var machine = Machine(limits: limits)
    _ = machine.receiveHeaders(
      requestHeaders(path: path, extra: extra), endStream: false, peer: "ipv4:127.0.0.1:1",
      now: .now, route: route)
    return machine
  }

  /// The status of a write action that ends the stream.
  static func status(_ action: Machine.Action) -> (code: String?, message: String?, http: String?)? {
    guard case .write(let response) = action, let trailers = response.trailers else { return nil }
    return (
      trailers.first(name: "grpc-status"), trailers.first(name: "grpc-message"),
      trailers.first(name: ":status")
    )
  }

  @Test func validHeadersAreAcceptedWithoutStartingTheMethod() {
    var machine = Machine(limits: Self.limits)
    let action = machine.receiveHeaders(
      Self.requestHeaders(), endStream: false, peer: "p", now: .now, route: Self.route)
    guard case .none = action else { Issue.record("expected none, got \(action)"); return }
    #expect(!machine.isClosed)
  }

  @Test(arguments: [
    "application/grpc", "application/grpc+proto", "Application/GRPC", "application/grpc; charset=utf-8",
    "application/grpc+proto;x=1",
  ])
  func grpcContentTypesAreAccepted(contentType: String) {
    var machine = Machine(limits: Self.limits)
    let action = machine.receiveHeaders(
      Self.requestHeaders(contentType: contentType), endStream: false, peer: "p", now: .now,
      route: Self.route)
    #expect(Self.status(action) == nil)
  }

  @Test(arguments: [
    "application/json", "text/plain", "application/grpc-web", "application/grpc-web+proto",
    "application/grpcfoo", "application/grpc+json", "application/grpc-web-text",
  ])
  func otherContentTypeIsAnswered415TrailersOnly(contentType: String) {
    var machine = Machine(limits: Self.limits)
    let action = machine.receiveHeaders(
      Self.requestHeaders(contentType: contentType), endStream: false, peer: "p", now: .now,
      route: Self.route)
    let status = Self.status(action)
    #expect(status?.http == "415")
    #expect(status?.code == "2")
    #expect(machine.isClosed)
  }

  @Test func getIsAnswered405() {
    var machine = Machine(limits: Self.limits)
    var headers = Self.requestHeaders()
    headers.replaceOrAdd(name: ":method", value: "GET")
    let action = machine.receiveHeaders(headers, endStream: true, peer: "p", now: .now, route: Self.route)
    #expect(Self.status(action)?.http == "405")
  }

  @Test func unknownMethodIsUnimplementedTrailersOnly() {
    var machine = Machine(limits: Self.limits)
    let action = machine.receiveHeaders(
      Self.requestHeaders(path: "/x.Y/Z"), endStream: false, peer: "p", now: .now, route: Self.route)
    guard case .write(let response) = action else { Issue.record("expected write"); return }
    #expect(response.headers == nil)
    #expect(response.trailers?.first(name: ":status") == "200")
    #expect(response.trailers?.first(name: "content-type") == "application/grpc")
    #expect(response.trailers?.first(name: "grpc-status") == "12")
    #expect(response.trailers?.first(name: "grpc-message") == "unknown method /x.Y/Z")
    #expect(response.resetStream)
    #expect(!response.cancelMethod)
  }

  @Test func gzipEncodingIsUnimplementedWithAcceptEncodingIdentity() {
    var machine = Machine(limits: Self.limits)
    let action = machine.receiveHeaders(
      Self.requestHeaders(extra: [("grpc-encoding", "gzip")]), endStream: false, peer: "p", now: .now,
      route: Self.route)
    guard case .write(let response) = action else { Issue.record("expected write"); return }
    #expect(response.trailers?.first(name: "grpc-status") == "12")
    #expect(response.trailers?.first(name: "grpc-accept-encoding") == "identity")
  }

  @Test func identityEncodingIsAccepted() {
    var machine = Machine(limits: Self.limits)
    let action = machine.receiveHeaders(
      Self.requestHeaders(extra: [("grpc-encoding", "identity")]), endStream: false, peer: "p",
      now: .now, route: Self.route)
    #expect(Self.status(action) == nil)
  }

  @Test func timeoutArmsTheDeadline() {
    var machine = Machine(limits: Self.limits)
    let now = ContinuousClock.now
    let action = machine.receiveHeaders(
      Self.requestHeaders(extra: [("grpc-timeout", "250m")]), endStream: false, peer: "p", now: now,
      route: Self.route)
    guard case .armDeadline(let deadline) = action else { Issue.record("got \(action)"); return }
    #expect(deadline == now.advanced(by: .milliseconds(250)))
  }

  @Test func largestTimeoutArmsADeadlineFarAhead() {
    var machine = Machine(limits: Self.limits)
    let now = ContinuousClock.now
    let action = machine.receiveHeaders(
      Self.requestHeaders(extra: [("grpc-timeout", "99999999H")]), endStream: false, peer: "p",
      now: now, route: Self.route)
    guard case .armDeadline(let deadline) = action else { Issue.record("got \(action)"); return }
    #expect(deadline == now.advanced(by: .seconds(99_999_999 * 3600)))
  }

  @Test(arguments: [
    ("path", Self.requestHeaders(path: "/" + String(repeating: "p", count: 10_000))),
    ("content-type", Self.requestHeaders(contentType: String(repeating: "c", count: 10_000))),
    ("grpc-timeout", Self.requestHeaders(extra: [("grpc-timeout", String(repeating: "9", count: 10_000))])),
    ("grpc-encoding", Self.requestHeaders(extra: [("grpc-encoding", String(repeating: "e", count: 10_000))])),
  ])
  func longClientValuesAreTruncatedInTheErrorMessage(header: String, headers: HPACKHeaders) {
    var machine = Machine(limits: Self.limits)
    let action = machine.receiveHeaders(
      headers, endStream: false, peer: "p", now: .now, route: Self.route)
    let message = Self.status(action)?.message?.removingPercentEncoding ?? ""
    #expect(!message.isEmpty)
    // The fixed text plus at most 128 bytes of the client's value.
    #expect(message.utf8.count < 128 + 64, "\(header): \(message.utf8.count) bytes")
  }

  @Test func echoedValueIsCutAtACharacterBoundaryWithinTheLimit() {
    let long = String(repeating: "Đ", count: 200)  // 2 bytes each
    let echoed = Machine.echoed(long)
    #expect(echoed.utf8.count <= Machine.maxEchoedBytes)
    #expect(echoed.hasSuffix("…"))
    #expect(Machine.echoed("short") == "short")
    let exact = String(repeating: "a", count: Machine.maxEchoedBytes)
    #expect(Machine.echoed(exact) == exact)
  }

  @Test(arguments: ["1", "m", "123456789S", "10x", "-1S", "1.5S"])
  func malformedTimeoutIsInternal(value: String) {
    var machine = Machine(limits: Self.limits)
    let action = machine.receiveHeaders(
      Self.requestHeaders(extra: [("grpc-timeout", value)]), endStream: false, peer: "p", now: .now,
      route: Self.route)
    #expect(Self.status(action)?.code == "13")
  }

  @Test func zeroTimeoutIsDeadlineExceededWithoutRunningTheMethod() {
    var machine = Machine(limits: Self.limits)
    let action = machine.receiveHeaders(
      Self.requestHeaders(extra: [("grpc-timeout", "0n")]), endStream: false, peer: "p", now: .now,
      route: Self.route)
    #expect(Self.status(action)?.code == "4")
    #expect(machine.isClosed)
  }

  @Test func metadataExcludesPseudoAndProtocolHeaders() {
    var machine = Self.accepted(extra: [
      ("authorization", "Bearer x"), ("grpc-timeout", "1S"), ("x-trace", "1"),
    ])
    let action = machine.receiveData(Self.framed([1]), endStream: true)
    guard case .startMethod(let call, let kind, _) = action else { Issue.record("got \(action)"); return }
    #expect(kind == .unary)
    #expect(call.metadata.map(\.name) == ["authorization", "x-trace"])
    #expect(call.metadata("authorization") == "Bearer x")
    #expect(call.metadata("Authorization") == "Bearer x")
    #expect(call.deadline != nil)
    #expect(call.peer == "ipv4:127.0.0.1:1")
  }

  @Test func messageSplitAcrossFramesStartsTheMethodOnEndOfStream() {
    var machine = Self.accepted()
    var framed = Self.framed(Array(0..<200))
    var actions: [Machine.Action] = []
    while framed.readableBytes > 0 {
      let slice = framed.readSlice(length: min(7, framed.readableBytes))!
      actions.append(machine.receiveData(slice, endStream: false))
    }
    #expect(actions.allSatisfy { if case .none = $0 { true } else { false } })
    let action = machine.receiveData(ByteBuffer(), endStream: true)
    guard case .startMethod(_, _, let request) = action else { Issue.record("got \(action)"); return }
    #expect(request == Array(0..<200))
  }

  @Test func requestEndedByTrailersStartsTheMethod() {
    var machine = Self.accepted()
    _ = machine.receiveData(Self.framed([9]), endStream: false)
    let action = machine.receiveHeaders(
      HPACKHeaders(), endStream: true, peer: "p", now: .now, route: Self.route)
    guard case .startMethod(_, _, let request) = action else { Issue.record("got \(action)"); return }
    #expect(request == [9])
  }

  @Test func twoMessagesInOneFrameAreInternalTooManyRequests() {
    var machine = Self.accepted()
    var both = Self.framed([1])
    var second = Self.framed([2])
    both.writeBuffer(&second)
    let action = machine.receiveData(both, endStream: true)
    #expect(Self.status(action)?.code == "13")
    #expect(Self.status(action)?.message == "too many requests")
  }

  @Test func noMessageIsInternalNoRequest() {
    var machine = Self.accepted()
    let action = machine.receiveData(ByteBuffer(), endStream: true)
    #expect(Self.status(action)?.code == "13")
    #expect(Self.status(action)?.message == "no request")
  }

  @Test func headersWithEndStreamAreInternalNoRequest() {
    var machine = Machine(limits: Self.limits)
    let action = machine.receiveHeaders(
      Self.requestHeaders(), endStream: true, peer: "p", now: .now, route: Self.route)
    #expect(Self.status(action)?.code == "13")
    guard case .write(let response) = action else { return }
    #expect(!response.resetStream)
  }

  @Test func endOfStreamInsideAMessageIsInternal() {
    var machine = Self.accepted()
    var framed = Self.framed([1, 2, 3])
    let action = machine.receiveData(framed.readSlice(length: 6)!, endStream: true)
    #expect(Self.status(action)?.code == "13")
  }

  @Test func oversizedMessageIsResourceExhaustedFromItsPrefixAlone() {
    var machine = Self.accepted()
    var prefix = ByteBuffer()
    prefix.writeInteger(UInt8(0))
    prefix.writeInteger(UInt32(64 * 1024 + 1))
    let action = machine.receiveData(prefix, endStream: false)
    #expect(Self.status(action)?.code == "8")
    guard case .write(let response) = action else { return }
    #expect(response.resetStream)
  }

  @Test func compressedMessageIsInternal() {
    var machine = Self.accepted()
    let action = machine.receiveData(Self.framed([1], flag: 1), endStream: true)
    #expect(Self.status(action)?.code == "13")
  }

  @Test func unaryResponseIsHeadersMessageTrailers() {
    var machine = Self.accepted()
    _ = machine.receiveData(Self.framed([1]), endStream: true)
    let action = machine.methodReturned([7, 8])
    guard case .write(let response) = action else { Issue.record("got \(action)"); return }
    #expect(response.headers?.first(name: ":status") == "200")
    #expect(response.headers?.first(name: "content-type") == "application/grpc")
    #expect(response.headers?.first(name: "grpc-accept-encoding") == "identity")
    #expect(response.message?.bytes == [7, 8])
    #expect(response.trailers?.first(name: "grpc-status") == "0")
    #expect(response.trailers?.first(name: "grpc-message") == nil)
    #expect(response.trailers?.first(name: ":status") == nil)
    #expect(!response.resetStream)
    #expect(machine.isClosed)
  }

  @Test func unaryErrorIsTrailersOnlyWithEncodedMessage() {
    var machine = Self.accepted()
    _ = machine.receiveData(Self.framed([1]), endStream: true)
    let action = machine.methodFinished(GRPCStatus(.notFound, "không có 100%"))
    guard case .write(let response) = action else { Issue.record("got \(action)"); return }
    #expect(response.headers == nil)
    #expect(response.trailers?.first(name: ":status") == "200")
    #expect(response.trailers?.first(name: "grpc-status") == "5")
    #expect(response.trailers?.first(name: "grpc-message") == "kh%C3%B4ng c%C3%B3 100%25")
  }

  @Test func oversizedResponseIsResourceExhausted() {
    var machine = Self.accepted()
    _ = machine.receiveData(Self.framed([1]), endStream: true)
    let action = machine.methodReturned(Array(repeating: 0, count: 1025))
    #expect(Self.status(action)?.code == "8")
  }

  @Test func streamingSendsHeadersOnceThenMessagesThenTrailers() {
    var machine = Self.accepted(path: "/test.Test/Stream")
    let start = machine.receiveData(Self.framed([1]), endStream: true)
    guard case .startMethod(_, .serverStreaming, _) = start else { Issue.record("got \(start)"); return }
    guard case .write(let first) = machine.methodSends(GRPCEncodedMessage([1])) else {
      Issue.record("no write")
      return
    }
    #expect(first.headers != nil)
    #expect(first.trailers == nil)
    guard case .write(let second) = machine.methodSends(GRPCEncodedMessage([2])) else {
      Issue.record("no write")
      return
    }
    #expect(second.headers == nil)
    #expect(second.message?.bytes == [2])
    let end = machine.methodFinished(GRPCStatus(.ok, ""))
    guard case .write(let trailers) = end else { Issue.record("got \(end)"); return }
    #expect(trailers.trailers?.first(name: "grpc-status") == "0")
    #expect(trailers.trailers?.first(name: ":status") == nil)
    guard case .drop = machine.methodSends(GRPCEncodedMessage([3])) else { Issue.record("expected drop"); return }
  }

  @Test func deadlineWhileRunningSendsDeadlineExceededAndCancelsTheMethod() {
    var machine = Self.accepted()
    _ = machine.receiveData(Self.framed([1]), endStream: true)
    let action = machine.deadlinePassed()
    guard case .write(let response) = action else { Issue.record("got \(action)"); return }
    #expect(response.trailers?.first(name: "grpc-status") == "4")
    #expect(response.cancelMethod)
    guard case .none = machine.methodReturned([1]) else { Issue.record("late response written"); return }
  }

  @Test func deadlineWhileReceivingSendsDeadlineExceededWithoutAMethod() {
    var machine = Self.accepted()
    let action = machine.deadlinePassed()
    guard case .write(let response) = action else { Issue.record("got \(action)"); return }
    #expect(response.trailers?.first(name: "grpc-status") == "4")
    #expect(!response.cancelMethod)
    #expect(response.resetStream)
  }

  @Test func resetWhileRunningCancelsTheMethod() {
    var machine = Self.accepted()
    _ = machine.receiveData(Self.framed([1]), endStream: true)
    guard case .cancelMethod = machine.streamClosed() else { Issue.record("no cancel"); return }
    guard case .none = machine.methodReturned([1]) else { Issue.record("late response written"); return }
  }

  @Test func shutdownEndsStreamingCallsWithUnavailable() {
    var machine = Self.accepted(path: "/test.Test/Stream")
    _ = machine.receiveData(Self.framed([1]), endStream: true)
    _ = machine.methodSends(GRPCEncodedMessage([1]))
    let action = machine.serverShuttingDown()
    guard case .write(let response) = action else { Issue.record("got \(action)"); return }
    #expect(response.trailers?.first(name: "grpc-status") == "14")
    #expect(response.trailers?.first(name: ":status") == nil)
    #expect(response.cancelMethod)
  }

  @Test func shutdownLetsUnaryCallsFinish() {
    var machine = Self.accepted()
    _ = machine.receiveData(Self.framed([1]), endStream: true)
    guard case .none = machine.serverShuttingDown() else { Issue.record("unary ended"); return }
    guard case .write = machine.methodReturned([1]) else { Issue.record("no response"); return }
  }
}
