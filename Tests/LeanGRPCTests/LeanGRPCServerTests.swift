import GRPCCore
import GRPCNIOTransportHTTP2
import LeanGRPC
import Logging
import Testing

@Suite(.timeLimit(.minutes(1))) struct LeanGRPCServerTests {
  @Test func unaryEchoReturnsTheRequest() async throws {
    try await withTestServer { _, port in
      try await withTestClient(port: port) { client in
        let response1 = try await client.call("Echo", [1, 2, 3])
        #expect(response1 == [1, 2, 3])
        let response2 = try await client.call("Echo", [])
        #expect(response2 == [])
        let response3 = try await client.call("Sum", [1, 2, 3])
        #expect(response3 == [6])
      }
    }
  }

  @Test func inlineMethodAnswersInlineOrThroughItsTask() async throws {
    let probe = Probe()
    try await withTestServer(probe: probe) { _, port in
      try await withTestClient(port: port) { client in
        let inline = try await client.call("Inline", [5])
        #expect(inline == [5, 42])
        #expect(probe.value("inline.otherwise") == 0)
        let otherwise = try await client.call("Inline", [0])
        #expect(otherwise == [0, 43])
        #expect(probe.value("inline.otherwise") == 1)
        let error = await #expect(throws: RPCError.self) { try await client.call("Inline", [1]) }
        #expect(error?.code == .failedPrecondition)
        #expect(probe.value("inline.inline") == 3)
      }
    }
  }

  /// Requests far beyond HTTP/2's initial 64 KiB windows arrive only if the server gives the stream's and the
  /// connection's windows back as it consumes them (it has no stream channels doing so for it).
  @Test func megabyteRequestsKeepTheFlowControlWindowsOpen() async throws {
    try await withTestServer(configure: { $0.maxRequestMessageBytes = 2 << 20 }) { _, port in
      try await withTestClient(port: port) { client in
        for round in 0..<3 {
          let request = [UInt8](repeating: UInt8(round), count: 1 << 20)
          let echoed = try await client.call("Echo", request)
          #expect(echoed.count == request.count && echoed.allSatisfy { $0 == UInt8(round) })
        }
      }
    }
  }

  @Test func manyConcurrentCallsOnOneConnectionAllSucceed() async throws {
    try await withTestServer { _, port in
      try await withTestClient(port: port) { client in
        try await withThrowingTaskGroup(of: Bool.self) { group in
          for index in 0..<300 {
            group.addTask {
              let request = [UInt8(index % 256), 1]
              return try await client.call("Echo", request) == request
            }
          }
          for try await ok in group { #expect(ok) }
        }
      }
    }
  }

  @Test func errorStatusWithNonASCIIMessageRoundTrips() async throws {
    try await withTestServer { _, port in
      try await withTestClient(port: port) { client in
        let error = await #expect(throws: RPCError.self) { try await client.call("Fail") }
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message == "Quầy đã đóng — 100% bận")
      }
    }
  }

  @Test func otherErrorsGoThroughStatusForError() async throws {
    try await withTestServer { _, port in
      try await withTestClient(port: port) { client in
        let error = await #expect(throws: RPCError.self) { try await client.call("DomainFail") }
        #expect(error?.code == .notFound)
        #expect(error?.message == "domain: /test.Test/DomainFail")
      }
    }
  }

  @Test func unknownMethodIsUnimplemented() async throws {
    try await withTestServer { _, port in
      try await withTestClient(port: port) { client in
        let error = await #expect(throws: RPCError.self) { try await client.call("Nope") }
        #expect(error?.code == .unimplemented)
        #expect(error?.message == "unknown method /test.Test/Nope")
      }
    }
  }

  @Test func deadlineIsDeadlineExceededAndCancelsTheMethod() async throws {
    let probe = Probe()
    try await withTestServer(probe: probe) { _, port in
      try await withTestClient(port: port) { client in
        _ = try await client.call("Echo", [0])  // connect first: the deadline covers the call only
        let error = await #expect(throws: RPCError.self) {
          try await client.call("Slow", [1], timeout: .seconds(3))
        }
        #expect(error?.code == .deadlineExceeded)
      }
      // The method either never started (the deadline passed first on a loaded machine) or was cancelled.
      if probe.value("slow.started") == 1 {
        #expect(await probe.wait(for: "slow.cancelled"))
        #expect(probe.value("slow.hadDeadline") == 1)
      }
    }
  }

  @Test func metadataReachesTheCall() async throws {
    try await withTestServer { _, port in
      try await withTestClient(port: port) { client in
        let response = try await client.call(
          "Authorization", metadata: ["authorization": "Bearer kiosk-7"])
        #expect(String(decoding: response, as: UTF8.self) == "Bearer kiosk-7")
        let peer = String(decoding: try await client.call("Peer"), as: UTF8.self)
        #expect(peer.hasPrefix("ipv4:127.0.0.1:"))
      }
    }
  }

  @Test func messageUnderTheLimitWorksAndOverItIsResourceExhausted() async throws {
    try await withTestServer { _, port in
      try await withTestClient(port: port) { client in
        let sixty = [UInt8](repeating: 0xAB, count: 60 * 1024)
        let response4 = try await client.call("Echo", sixty)
        #expect(response4 == sixty)
        let seventy = [UInt8](repeating: 0xAB, count: 70 * 1024)
        let error = await #expect(throws: RPCError.self) { try await client.call("Echo", seventy) }
        #expect(error?.code == .resourceExhausted)
        // The connection still serves calls.
        let response5 = try await client.call("Echo", [1])
        #expect(response5 == [1])
      }
    }
  }

  @Test func thousandStreamedMessagesArriveWhileTheWriterWaitsForASlowReader() async throws {
    let probe = Probe()
    try await withTestServer(probe: probe) { _, port in
      try await withTestClient(port: port, targetWindowSize: 65535) { client in
        let received = try await client.serverStreaming(
          request: ClientRequest(message: [0x03, 0xE8]),  // 1,000
          descriptor: MethodDescriptor(fullyQualifiedService: "test.Test", method: "Stream"),
          serializer: ByteSerializer(),
          deserializer: ByteDeserializer(),
          options: .defaults
        ) { response in
          var count = 0
          for try await message in response.messages {
            #expect(message.count == 16 * 1024)
            count += 1
            if count == 1 {
              // A slow reader: the server must wait for the client's flow-control window.
              try await Task.sleep(for: .milliseconds(500))
              let sent = probe.value("stream.sent")
              #expect(sent < 100, "the server buffered \(sent) messages for a reader that took 1")
            }
          }
          return count
        }
        #expect(received == 1000)
        #expect(probe.value("stream.sent") == 1000)
      }
    }
  }

  @Test func clientCancellationMidStreamCancelsTheMethod() async throws {
    let probe = Probe()
    try await withTestServer(probe: probe) { _, port in
      try await withTestClient(port: port) { client in
        let call = Task {
          try await client.serverStreaming(
            request: ClientRequest(message: [0]),
            descriptor: MethodDescriptor(fullyQualifiedService: "test.Test", method: "Forever"),
            serializer: ByteSerializer(),
            deserializer: ByteDeserializer(),
            options: .defaults
          ) { response in
            for try await _ in response.messages {}
          }
        }
        #expect(await probe.wait(for: "forever.started"))
        try await Task.sleep(for: .milliseconds(50))
        call.cancel()
        _ = await call.result
        #expect(await probe.wait(for: "forever.cancelled"))
      }
    }
  }

  @Test func gracefulShutdownEndsStreamsAndRunReturns() async throws {
    let probe = Probe()
    try await withTestServer(probe: probe) { server, port in
      try await withTestClient(port: port) { client in
        let call = Task {
          try await client.serverStreaming(
            request: ClientRequest(message: [0]),
            descriptor: MethodDescriptor(fullyQualifiedService: "test.Test", method: "Forever"),
            serializer: ByteSerializer(),
            deserializer: ByteDeserializer(),
            options: .defaults
          ) { response in
            for try await _ in response.messages {}
          }
        }
        #expect(await probe.wait(for: "forever.started"))
        server.beginGracefulShutdown()
        let result = await call.result
        #expect((try? result.get()) == nil)
        #expect(await probe.wait(for: "forever.cancelled"))
      }
    }
  }

  @Test func cancellingRunStopsTheServer() async throws {
    let server = LeanGRPCServer(
      configuration: GRPCServerConfiguration(host: "127.0.0.1", port: 0),
      methods: testMethods(probe: Probe()), logger: .init(label: "test"))
    let run = Task { try await server.run() }
    let port = try #require(try await server.listeningAddress).port
    try await withTestClient(port: port) { client in
      let response6 = try await client.call("Echo", [5])
      #expect(response6 == [5])
    }
    run.cancel()
    try await run.value
  }
}
