import GRPCCore
import GRPCNIOTransportHTTP2
import LeanGRPC
import Logging
import Synchronization

/// Passes message bytes through grpc-swift-2's client unchanged.
struct ByteSerializer: MessageSerializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
    Bytes(message)
  }
}

/// Hands the received message bytes to the test unchanged.
struct ByteDeserializer: MessageDeserializer {
  func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
    serializedMessageBytes.withUnsafeBytes { Array($0) }
  }
}

/// What the test methods report: flags and counters the tests wait on.
final class Probe: Sendable {
  private let state = Mutex<[String: Int]>([:])

  func add(_ key: String, _ amount: Int = 1) {
    self.state.withLock { $0[key, default: 0] += amount }
  }

  func value(_ key: String) -> Int {
    self.state.withLock { $0[key, default: 0] }
  }

  /// Waits up to `timeout` for `key` to reach `atLeast`; returns whether it did.
  func wait(for key: String, atLeast: Int = 1, timeout: Duration = .seconds(60)) async -> Bool {
    let end = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < end {
      if self.value(key) >= atLeast { return true }
      try? await Task.sleep(for: .milliseconds(10))
    }
    return self.value(key) >= atLeast
  }
}

/// A domain error the test server maps through `statusForError`.
struct DomainError: Error {}

/// The test methods, as byte-level `GRPCMethod`s.
func testMethods(probe: Probe) -> [String: GRPCMethod] {
  [
    "/test.Test/Echo": .unary { request, _ in request },
    "/test.Test/Sum": .unary { request, _ in
      [UInt8(truncatingIfNeeded: request.reduce(0) { $0 + Int($1) })]
    },
    "/test.Test/Authorization": .unary { _, call in
      Array((call.metadata("authorization") ?? "").utf8)
    },
    "/test.Test/Peer": .unary { _, call in Array(call.peer.utf8) },
    "/test.Test/Fail": .unary { _, _ in
      throw GRPCStatus(.failedPrecondition, "Quầy đã đóng — 100% bận")
    },
    "/test.Test/DomainFail": .unary { _, _ in throw DomainError() },
    "/test.Test/Slow": .unary { request, call in
      probe.add("slow.started")
      if call.deadline != nil { probe.add("slow.hadDeadline") }
      do {
        try await Task.sleep(for: .seconds(30))
      } catch {
        probe.add("slow.cancelled")
        throw error
      }
      return request
    },
    "/test.Test/Stream": .serverStreaming { request, _, send in
      // request: [count high byte, count low byte]; each message is 16 KiB.
      let count = Int(request[0]) << 8 | Int(request[1])
      let message = [UInt8](repeating: 7, count: 16 * 1024)
      for _ in 0..<count {
        try await send.write(message)
        probe.add("stream.sent")
      }
    },
    "/test.Test/Forever": .serverStreaming { _, _, send in
      probe.add("forever.started")
      do {
        while true {
          try await send.write([1])
          try await Task.sleep(for: .milliseconds(5))
        }
      } catch {
        probe.add("forever.cancelled")
        throw error
      }
    },
  ]
}

/// Runs a LeanGRPC server with the test methods on a free port for the duration of `body`.
func withTestServer(
  probe: Probe = Probe(),
  configure: (inout GRPCServerConfiguration) -> Void = { _ in },
  _ body: (_ server: LeanGRPCServer, _ port: Int) async throws -> Void
) async throws {
  var configuration = GRPCServerConfiguration(host: "127.0.0.1", port: 0)
  configuration.statusForError = { error, path in
    error is DomainError ? GRPCStatus(.notFound, "domain: \(path)") : GRPCStatus(.unknown, "internal error")
  }
  configure(&configuration)
  let server = LeanGRPCServer(
    configuration: configuration, methods: testMethods(probe: probe), logger: Logger(label: "test"))
  try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await server.run() }
    guard let address = try await server.listeningAddress else { throw GRPCStatus(.unavailable, "") }
    do {
      try await body(server, address.port)
    } catch {
      group.cancelAll()
      throw error
    }
    server.beginGracefulShutdown()
    try await group.waitForAll()
  }
}

/// Runs a grpc-swift-2 client (plaintext HTTP/2) against `port`.
func withTestClient<Result: Sendable>(
  port: Int,
  targetWindowSize: Int? = nil,
  _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
) async throws -> Result {
  let transport = try HTTP2ClientTransport.Posix(
    target: .ipv4(address: "127.0.0.1", port: port),
    transportSecurity: .plaintext,
    config: .defaults { config in
      if let targetWindowSize { config.http2.targetWindowSize = targetWindowSize }
    }
  )
  return try await withGRPCClient(transport: transport) { client in
    try await body(client)
  }
}

extension GRPCClient {
  /// Calls a unary test method with message bytes.
  func call(
    _ method: String,
    _ request: [UInt8] = [],
    metadata: Metadata = [:],
    timeout: Duration? = nil
  ) async throws -> [UInt8] {
    var options = CallOptions.defaults
    options.timeout = timeout
    return try await self.unary(
      request: ClientRequest(message: request, metadata: metadata),
      descriptor: MethodDescriptor(fullyQualifiedService: "test.Test", method: method),
      serializer: ByteSerializer(),
      deserializer: ByteDeserializer(),
      options: options
    ) { response in
      try response.message
    }
  }
}
