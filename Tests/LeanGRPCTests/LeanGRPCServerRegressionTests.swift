import GRPCCore
import GRPCNIOTransportHTTP2
import LeanGRPC
import Logging
import NIOCore
import Synchronization
import Testing

/// Regressions found by review: connection lifetime, shutdown, limits.
@Suite(.timeLimit(.minutes(2))) struct LeanGRPCServerRegressionTests {
  static func forever(
    _ client: GRPCClient<HTTP2ClientTransport.Posix>,
    method: String = "Forever",
    _ handle: @Sendable @escaping (StreamingClientResponse<[UInt8]>) async throws -> Void
  ) async throws {
    try await client.serverStreaming(
      request: ClientRequest(message: [0]),
      descriptor: MethodDescriptor(fullyQualifiedService: "test.Test", method: method),
      serializer: ByteSerializer(),
      deserializer: ByteDeserializer(),
      options: .defaults,
      onResponse: handle
    )
  }

  @Test func connectionWithAnOpenStreamOutlivesMaxIdleTime() async throws {
    try await withTestServer(configure: { $0.maxIdleTime = .seconds(3) }) { _, port in
      try await withTestClient(port: port) { client in
        // What is under test starts with the stream's first message: on a loaded machine the client may take
        // longer than the idle time to open it, and closing a connection that had no stream yet is right —
        // such an attempt is repeated. Once open, the stream must outlive the idle time more than twice.
        // (With 2 s and no retry pause this failed 2 of 4 full-suite runs on a loaded 2-core machine.)
        for _ in 1...5 {
          let started = Mutex(false)
          do {
            try await Self.forever(client) { response in
              var start: ContinuousClock.Instant? = nil
              var afterFiveSeconds = 0
              for try await _ in response.messages {
                if start == nil {
                  start = .now
                  started.withLock { $0 = true }
                }
                if let start, start.duration(to: .now) > .seconds(7) {
                  afterFiveSeconds += 1
                  if afterFiveSeconds == 10 { return }
                }
              }
              Issue.record("the stream ended after \(start.map { $0.duration(to: .now) } ?? .zero)")
            }
            return
          } catch where !started.withLock({ $0 }) {
            try await Task.sleep(for: .milliseconds(500))
            continue
          }
        }
        Issue.record("the stream never started in five attempts")
      }
    }
  }

  @Test func idleConnectionIsClosedAfterMaxIdleTime() async throws {
    try await withTestServer(configure: { $0.maxIdleTime = .seconds(1) }) { _, port in
      let channel = try await connectRawTCP(port: port)
      #expect(await closes(channel, within: .seconds(30)))
    }
  }

  /// A connection error (here: HTTP/1.1 on the h2c port, i.e. a bad client preface) gets GOAWAY and the socket
  /// is closed; without the close the peer kept it until the idle timer (none here).
  @Test func aConnectionErrorClosesTheConnection() async throws {
    try await withTestServer(configure: { $0.maxIdleTime = nil }) { _, port in
      let channel = try await connectRawTCP(port: port)
      try await channel.writeAndFlush(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"))
      #expect(await closes(channel, within: .seconds(30)))
    }
  }

  @Test func gracefulShutdownLetsAnInFlightUnaryCallFinishOK() async throws {
    let probe = Probe()
    try await withTestServer(probe: probe) { server, port in
      try await withTestClient(port: port) { client in
        let call = Task { try await client.call("SleepHalfSecond", [4, 2]) }
        #expect(await probe.wait(for: "sleepHalfSecond.started"))
        server.beginGracefulShutdown()
        let response = try await call.value
        #expect(response == [4, 2])
      }
    }
  }

  @Test func tlsClientThatNeverHandshakesIsClosedAfterTheHandshakeTimeout() async throws {
    let tls = try writeTestTLSFiles()
    try await withTestServer(configure: {
      $0.tls = tls
      $0.handshakeTimeout = .seconds(1)
      $0.maxIdleTime = nil
    }) { _, port in
      let channel = try await connectRawTCP(port: port)
      #expect(await closes(channel, within: .seconds(30)))
    }
  }

  @Test(arguments: [false, true])
  func shutdownClosesConnectionsStillInTheTLSHandshake(force: Bool) async throws {
    let tls = try writeTestTLSFiles()
    var configuration = GRPCServerConfiguration(host: "127.0.0.1", port: 0)
    configuration.tls = tls
    configuration.handshakeTimeout = .seconds(600)
    configuration.maxIdleTime = nil
    let server = LeanGRPCServer(
      configuration: configuration, methods: testMethods(probe: Probe()),
      logger: Logger(label: "test"))
    let run = Task { try await server.run() }
    let port = try #require(try await server.listeningAddress).port
    let channel = try await connectRawTCP(port: port)
    try await Task.sleep(for: .milliseconds(200))  // let the server accept it
    if force { run.cancel() } else { server.beginGracefulShutdown() }
    #expect(await closes(channel, within: .seconds(30)))
    try await run.value
  }

  @Test func callsBeyondTheStreamLimitWhileResetMethodsStillRunAreResourceExhausted() async throws {
    let probe = Probe()
    try await withTestServer(probe: probe, configure: { $0.maxConcurrentStreams = 2 }) { _, port in
      try await withTestClient(port: port) { client in
        let calls = (0..<2).map { _ in Task { try await client.call("Stubborn", [1]) } }
        #expect(await probe.wait(for: "stubborn.started", atLeast: 2))
        for call in calls { call.cancel() }
        for call in calls { _ = await call.result }
        // Both streams are reset, both methods still run: a third call must not start a method.
        let error = await #expect(throws: RPCError.self) { try await client.call("Echo", [9]) }
        #expect(error?.code == .resourceExhausted)

        probe.add("stubborn.release")
        #expect(await probe.wait(for: "stubborn.ended", atLeast: 2))
        var response: [UInt8]?
        for _ in 0..<100 where response == nil {
          response = try? await client.call("Echo", [9])
          if response == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(response == [9])
      }
    }
  }

  @Test func runReturnsOnlyAfterCancelledMethodsHaveEnded() async throws {
    let probe = Probe()
    let server = LeanGRPCServer(
      configuration: GRPCServerConfiguration(host: "127.0.0.1", port: 0),
      methods: testMethods(probe: probe), logger: Logger(label: "test"))
    let run = Task {
      try await server.run()
      probe.add("run.returned")
      probe.add("run.returned.stubbornEnded", probe.value("stubborn.ended"))
    }
    let port = try #require(try await server.listeningAddress).port
    try await withTestClient(port: port) { client in
      let call = Task { try await client.call("Stubborn", [1]) }
      #expect(await probe.wait(for: "stubborn.started"))
      run.cancel()
      _ = await call.result
      try await Task.sleep(for: .seconds(1))
      #expect(probe.value("run.returned") == 0, "run() returned while a method was running")
      probe.add("stubborn.release")
      try await run.value
      #expect(probe.value("run.returned.stubbornEnded") == 1)
    }
  }

  @Test func twoConcurrentWritersOnAnUnwritableStreamBothFailWhenTheCallEnds() async throws {
    let probe = Probe()
    try await withTestServer(probe: probe) { _, port in
      try await withTestClient(port: port, targetWindowSize: 65535) { client in
        let call = Task {
          try await Self.forever(client, method: "TwoWriters") { response in
            for try await _ in response.messages {
              // Read one, then stop reading: both writers end up waiting for the window.
              try await Task.sleep(for: .seconds(2))
              return
            }
          }
        }
        #expect(await probe.wait(for: "twoWriters.started"))
        _ = await call.result
        #expect(await probe.wait(for: "twoWriters.failed", atLeast: 2, timeout: .seconds(30)))
        #expect(await probe.wait(for: "twoWriters.ended", timeout: .seconds(30)))
      }
    }
  }
}
