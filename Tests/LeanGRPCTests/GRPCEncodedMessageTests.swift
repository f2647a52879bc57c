import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOCore
import Testing

@testable import LeanGRPC

/// Messages encoded once and written to many streams (a branch's event to every display board).
@Suite(.timeLimit(.minutes(1))) struct GRPCEncodedMessageTests {
  typealias Machine = GRPCServerStreamStateMachine

  @Test func anEncodedMessageIsTheLengthPrefixedBytesSharedByItsCopies() {
    let message = GRPCEncodedMessage([7, 8, 9])
    #expect(message.count == 3)
    #expect(message.bytes == [7, 8, 9])
    #expect(Array(message.framed.readableBytesView) == [0, 0, 0, 0, 3, 7, 8, 9])
    let copy = message
    #expect(copy.sharesStorage(with: message))
    #expect(!GRPCEncodedMessage([7, 8, 9]).sharesStorage(with: message))
    #expect(GRPCEncodedMessage([]).framed.readableBytes == 5)
  }

  @Test func aStreamingMethodSendsAnEncodedMessageAsItIs() {
    var machine = GRPCServerStreamStateMachineTests.accepted(path: "/test.Test/Stream")
    _ = machine.receiveData(GRPCServerStreamStateMachineTests.framed([1]), endStream: true)
    let encoded = GRPCEncodedMessage([4, 2])
    guard case .write(let first) = machine.methodSends(encoded) else { Issue.record("no write"); return }
    #expect(first.headers != nil)
    #expect(first.message?.sharesStorage(with: encoded) == true)
    guard case .write(let second) = machine.methodSends(encoded) else { Issue.record("no write"); return }
    #expect(second.headers == nil && second.trailers == nil)
    // The response limit (1,024 bytes in these tests) holds for encoded messages too.
    let large = GRPCEncodedMessage([UInt8](repeating: 0, count: 1025))
    #expect(GRPCServerStreamStateMachineTests.status(machine.methodSends(large))?.code == "8")
  }

  /// Every call of the method writes the same encoded buffer; the clients read the same bytes, interleaved with
  /// ordinary messages in order.
  @Test func clientsOfManyStreamsReceiveTheSharedMessage() async throws {
    let shared = GRPCEncodedMessage([UInt8](repeating: 0x5A, count: 300) + [1, 2, 3])
    let methods: [String: GRPCMethod] = [
      "/test.Shared/Fan": .serverStreaming { request, _, send in
        for round in 0..<Int(request.first ?? 0) {
          try await send.write(shared)
          try await send.write([UInt8(round)])
        }
      }
    ]
    let received = try await withServer(methods) { port in
      try await withTestClient(port: port) { client in
        try await withThrowingTaskGroup(of: [[UInt8]].self) { calls in
          for _ in 0..<20 {
            calls.addTask {
              try await client.serverStreaming(
                request: ClientRequest(message: [3]),
                descriptor: MethodDescriptor(fullyQualifiedService: "test.Shared", method: "Fan"),
                serializer: ByteSerializer(), deserializer: ByteDeserializer(), options: .defaults
              ) { response in
                var messages: [[UInt8]] = []
                for try await message in response.messages { messages.append(message) }
                return messages
              }
            }
          }
          return try await calls.reduce(into: []) { $0.append($1) }
        }
      }
    }
    let expected = [shared.bytes, [0], shared.bytes, [1], shared.bytes, [2]]
    #expect(received.count == 20)
    #expect(received.allSatisfy { $0 == expected })
  }
}

/// Runs a server with `methods` on a loopback port.
func withServer<Result: Sendable>(
  _ methods: [String: GRPCMethod], _ body: (_ port: Int) async throws -> Result
) async throws -> Result {
  let server = LeanGRPCServer(
    configuration: GRPCServerConfiguration(host: "127.0.0.1", port: 0), methods: methods,
    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
  return try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await server.run() }
    guard let address = try await server.listeningAddress else { throw GRPCStatus(.unavailable, "") }
    let result: Result
    do {
      result = try await body(address.port)
    } catch {
      group.cancelAll()
      throw error
    }
    server.beginGracefulShutdown()
    try await group.waitForAll()
    return result
  }
}
