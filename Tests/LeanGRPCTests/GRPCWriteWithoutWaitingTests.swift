import GRPCCore
import GRPCNIOTransportHTTP2
import LeanGRPC
import Synchronization
import Testing

/// Writes to many streams without a Task per stream (`GRPCResponseWriter.writeWithoutWaiting`), as a branch's
/// events reach its display boards.
@Suite(.timeLimit(.minutes(1))) struct GRPCWriteWithoutWaitingTests {
  /// The writers of the calls of `/test.Fan/Join`, which answer `[0]` and then wait to be detached.
  final class Boards: Sendable {
    private let writers = Mutex<[GRPCResponseWriter]>([])
    let probe = Probe()

    var all: [GRPCResponseWriter] { self.writers.withLock { $0 } }

    var methods: [String: GRPCMethod] {
      [
        "/test.Fan/Join": .serverStreaming { _, _, send in
          try await send.write([0])
          self.writers.withLock { $0.append(send) }
          self.probe.add("joined")
          do {
            try await send.waitUntilDetached()
            self.probe.add("detached")
          } catch {
            self.probe.add("failed")
            throw error
          }
        }
      ]
    }
  }

  static func join(
    _ client: GRPCClient<HTTP2ClientTransport.Posix>, readAfter delay: Duration = .zero
  ) async throws -> [[UInt8]] {
    try await client.serverStreaming(
      request: ClientRequest(message: []),
      descriptor: MethodDescriptor(fullyQualifiedService: "test.Fan", method: "Join"),
      serializer: ByteSerializer(), deserializer: ByteDeserializer(), options: .defaults
    ) { response in
      var messages: [[UInt8]] = []
      for try await message in response.messages {
        messages.append(message)
        if messages.count == 1 && delay > .zero { try await Task.sleep(for: delay) }
      }
      return messages
    }
  }

  /// Streams on two connections (so, likely, two event loops) get every message in order, then end with OK when
  /// detached.
  @Test func everyStreamGetsTheMessagesInOrderThenEndsWhenDetached() async throws {
    let boards = Boards()
    try await withServer(boards.methods) { port in
      try await withTestClient(port: port) { one in
        try await withTestClient(port: port) { other in
          try await withThrowingTaskGroup(of: [[UInt8]].self) { group in
            for index in 0..<30 {
              group.addTask { try await Self.join(index % 2 == 0 ? one : other) }
            }
            #expect(await boards.probe.wait(for: "joined", atLeast: 30))
            let shared = GRPCEncodedMessage([UInt8](repeating: 9, count: 100))
            GRPCResponseWriter.writeWithoutWaiting([shared], to: boards.all, maxBacklog: 100)
            GRPCResponseWriter.writeWithoutWaiting(
              [GRPCEncodedMessage([1]), GRPCEncodedMessage([2])], to: boards.all, maxBacklog: 100)
            GRPCResponseWriter.detach(boards.all)
            let received = try await group.reduce(into: []) { $0.append($1) }
            #expect(received.count == 30)
            #expect(received.allSatisfy { $0 == [[0], shared.bytes, [1], [2]] })
          }
        }
      }
    }
    #expect(boards.probe.value("detached") == 30)
  }

  /// A client that stops reading lets messages pile up in HTTP/2's flow control: past `maxBacklog` its stream is
  /// detached (its method ends the call with OK) instead of buffering without end.
  @Test func aStreamThatFallsBehindIsDetached() async throws {
    let boards = Boards()
    try await withServer(boards.methods) { port in
      try await withTestClient(port: port, targetWindowSize: 65535) { client in
        let call = Task { try await Self.join(client, readAfter: .milliseconds(500)) }
        #expect(await boards.probe.wait(for: "joined"))
        let large = GRPCEncodedMessage([UInt8](repeating: 7, count: 16 * 1024))
        for _ in 0..<50 {
          GRPCResponseWriter.writeWithoutWaiting([large], to: boards.all, maxBacklog: 10)
        }
        #expect(await boards.probe.wait(for: "detached"))
        let received = try await call.value  // ends with OK
        #expect(received.count > 1 && received.count <= 11, "received \(received.count) messages")
        #expect(received.dropFirst().allSatisfy { $0 == large.bytes })
      }
    }
  }

  /// A client that cancels its call ends the method's wait with an error; writes to the stream are then ignored.
  @Test func aCancelledCallEndsTheWait() async throws {
    let boards = Boards()
    try await withServer(boards.methods) { port in
      try await withTestClient(port: port) { client in
        let call = Task { try await Self.join(client) }
        #expect(await boards.probe.wait(for: "joined"))
        call.cancel()
        #expect(await boards.probe.wait(for: "failed"))
        GRPCResponseWriter.writeWithoutWaiting([GRPCEncodedMessage([1])], to: boards.all, maxBacklog: 10)
        GRPCResponseWriter.detach(boards.all)
        // The connection still serves calls.
        let again = Task { try await Self.join(client) }
        #expect(await boards.probe.wait(for: "joined", atLeast: 2))
        GRPCResponseWriter.detach(boards.all)
        let messages = try await again.value
        #expect(messages == [[0]])
      }
    }
    #expect(boards.probe.value("detached") == 1)
  }
}
