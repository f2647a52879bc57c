import GRPCCore
import GRPCNIOTransportHTTP2
import LeanGRPC
import Foundation
import Logging
import NIOCore
import NIOPosix
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
    // request [0]: not answerable inline (runs `otherwise`); [1]: the inline path fails; else answered inline.
    "/test.Test/Inline": .unaryInline(
      inline: { request, _ in
        probe.add("inline.inline")
        if request.first == 0 { return nil }
        if request.first == 1 { throw GRPCStatus(.failedPrecondition, "refused inline") }
        return request + [42]
      },
      otherwise: { request, _ in
        probe.add("inline.otherwise")
        return request + [43]
      }),
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
    "/test.Test/SleepHalfSecond": .unary { request, _ in
      probe.add("sleepHalfSecond.started")
      try await Task.sleep(for: .milliseconds(500))
      probe.add("sleepHalfSecond.ended")
      return request
    },
    "/test.Test/Stubborn": .unary { request, _ in
      // Ignores cancellation: runs until the test sets "stubborn.release".
      probe.add("stubborn.started")
      while probe.value("stubborn.release") == 0 {
        await Task.detached { try? await Task.sleep(for: .milliseconds(10)) }.value
      }
      probe.add("stubborn.ended")
      return request
    },
    "/test.Test/TwoWriters": .serverStreaming { _, _, send in
      // Two child Tasks write 16 KiB messages until their writes throw.
      probe.add("twoWriters.started")
      let message = [UInt8](repeating: 3, count: 16 * 1024)
      await withTaskGroup(of: Void.self) { group in
        for _ in 0..<2 {
          group.addTask {
            do {
              while true { try await send.write(message) }
            } catch {
              probe.add("twoWriters.failed")
            }
          }
        }
      }
      probe.add("twoWriters.ended")
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

/// Whether `channel` closes within `timeout`.
func closes(_ channel: any Channel, within timeout: Duration) async -> Bool {
  await withTaskGroup(of: Bool.self) { group in
    group.addTask {
      (try? await channel.closeFuture.get()) != nil
    }
    group.addTask {
      try? await Task.sleep(for: timeout)
      return false
    }
    let first = await group.next()!
    group.cancelAll()
    return first
  }
}

/// A raw TCP connection to `port` that sends nothing.
func connectRawTCP(port: Int) async throws -> any Channel {
  try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .connect(host: "127.0.0.1", port: port).get()
}

/// A self-signed P-256 certificate for `localhost` (valid until 2125) and its key, as PEM files in
/// a fresh temporary directory.
func writeTestTLSFiles() throws -> GRPCServerConfiguration.TLS {
  let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("leangrpc-tls-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  let certificate = directory.appendingPathComponent("cert.pem")
  let key = directory.appendingPathComponent("key.pem")
  try testCertificatePEM.write(to: certificate, atomically: true, encoding: .utf8)
  try testKeyPEM.write(to: key, atomically: true, encoding: .utf8)
  return .init(certificateChainPath: certificate.path, privateKeyPath: key.path)
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

let testCertificatePEM = """
-----BEGIN CERTIFICATE-----
MIIBgDCCASWgAwIBAgIUUL8Fs1BB6zpaUDovLeLP/OuJ8S4wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNzE2NTIxOFoYDzIxMjYxMTAz
MTY1MjE4WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASe1/xHieYuiC633gSFiiTV0CbGa+gZh2Z0GZJ9yXtA1vP9pf3uIoOy
JAHgmTwKgto9PfEbMWrQ13PBySHE0zNyo1MwUTAdBgNVHQ4EFgQUy/hA9Er9utXo
MLgacY0GTV8RNKUwHwYDVR0jBBgwFoAUy/hA9Er9utXoMLgacY0GTV8RNKUwDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAxXaoXSVMDI2939vNlc7S
X6ztHPZnyX61ZPyoMerjQ88CIQD/Sd1KGFU0UCqupcCFKsunraWuh+ra7Zgt7ql1
NtYprA==
-----END CERTIFICATE-----
"""

let testKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZn2n4MJ7E3Orofz0
/nUeqqvWajZTfVLkAv7I5MvrNzGhRANCAASe1/xHieYuiC633gSFiiTV0CbGa+gZ
h2Z0GZJ9yXtA1vP9pf3uIoOyJAHgmTwKgto9PfEbMWrQ13PBySHE0zNy
-----END PRIVATE KEY-----
"""
