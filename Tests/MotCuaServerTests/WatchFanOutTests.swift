import GRPCCore
import LeanGRPC
import MotCuaClients
import MotCuaDomain
import MotCuaProtocol
@testable import MotCuaServer
import QueueEngine
import SwiftProtobuf
import Synchronization
import Testing

/// `WatchBranch` fan-out: an event's board message is built and encoded once and every board of the branch
/// receives the same bytes.
@Suite(.timeLimit(.minutes(1))) struct WatchFanOutTests {
  static let branch = BranchID("hn-hoan-kiem")
  static let service = ServiceID("civil-birth-registration")
  static let counter = "hn-hoan-kiem-q01"
  static let now = CivilTime.vietnam.instant(on: LocalDate("2026-11-27")!, minute: 9 * 60)

  static func counterEvent(_ sequence: UInt64, open: Bool) -> BranchEvent {
    let state = CounterState(
      counterID: CounterID(Self.counter), branchID: Self.branch, isOpen: open, serviceIDs: [Self.service])
    return BranchEvent(
      branchID: Self.branch, sequence: sequence, kind: open ? .counterOpened : .counterClosed, at: Self.now,
      actor: "test", ticket: nil, counter: state, fromServiceID: nil, waitingAfter: [Self.service: 0])
  }

  /// Both watchers get the one object per event, which carries the counters open right after that event — not
  /// the branch's state when a watcher gets round to it (here the counter is closed again by then).
  @Test func everyWatcherGetsTheSameEventWithTheCountersOpenRightAfterIt() async throws {
    let hub = BranchHub(queues: [BranchQueue(branchID: Self.branch, tickets: [], counters: [], lastSequence: 0)])
    let (_, first) = try #require(hub.watch(Self.branch))
    let (_, second) = try #require(hub.watch(Self.branch))
    hub.publish([Self.counterEvent(1, open: true), Self.counterEvent(2, open: false)])
    let one = try #require(hub.kept(first))
    let other = try #require(hub.kept(second))
    #expect(one.count == 2 && other.count == 2)
    #expect(one[0] === other[0] && one[1] === other[1])
    #expect(one.map(\.event.sequence) == [1, 2])
    #expect(one[0].openCounters == [Self.service: 1])
    #expect(one[1].openCounters == [Self.service: 0])
    hub.unwatch(first)
    #expect(hub.kept(first) == nil && hub.kept(second)?.count == 2)
  }

  /// However many boards send an event at once, its message is encoded once and they all share the buffer.
  @Test func anEventIsEncodedOnceForAllItsWatchers() async throws {
    let watched = WatchedEvent(Self.counterEvent(1, open: true), openCounters: [Self.service: 1])
    let builds = Mutex(0)
    let encode: @Sendable (WatchedEvent) throws -> GRPCEncodedMessage = { watched in
      builds.withLock { $0 += 1 }
      return GRPCEncodedMessage([UInt8(watched.event.sequence), 42])
    }
    let messages = try await withThrowingTaskGroup(of: GRPCEncodedMessage.self) { group in
      for _ in 0..<64 { group.addTask { try watched.message(encode) } }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(builds.withLock { $0 } == 1)
    #expect(messages.count == 64)
    #expect(messages.allSatisfy { $0.sharesStorage(with: messages[0]) && $0.bytes == [1, 42] })
  }

  /// Two boards of a real server read the very same bytes for each event, and those bytes are the ordinary
  /// encoding of the event message (the counters open after each event included).
  @Test func twoBoardsReceiveIdenticalBytesForEachEvent() async throws {
    let server = try await TestServer.start()
    let kiosk = try await server.token(.kiosk, branch: Self.branch.rawValue)
    let counter = try await server.token(.counter, branch: Self.branch.rawValue, counter: Self.counter)
    try await server.withClient { client in
      let (ready, readyContinuation) = AsyncStream.makeStream(of: Void.self)
      let boards = try await withThrowingTaskGroup(of: [[UInt8]].self) { group in
        for _ in 0..<2 {
          group.addTask {
            var request = Motcua_V1_WatchBranchRequest()
            request.branchID = Self.branch.rawValue
            return try await client.serverStreaming(
              request: ClientRequest(message: request),
              descriptor: MethodDescriptor(fullyQualifiedService: "motcua.v1.DisplayService", method: "WatchBranch"),
              serializer: WatchRequestSerializer(), deserializer: RawBytesDeserializer(), options: .defaults
            ) { response in
              var messages: [[UInt8]] = []
              for try await message in response.messages {
                messages.append(message)
                if messages.count == 1 { readyContinuation.yield() }  // the snapshot: the board is watching
                if messages.count == 4 { break }
              }
              return messages
            }
          }
        }
        var boardsReady = 0
        for await _ in ready {
          boardsReady += 1
          if boardsReady == 2 { break }
        }
        var open = Motcua_V1_OpenCounterRequest()
        open.serviceIds = [Self.service.rawValue]
        _ = try await Motcua_V1_CounterService.Client(wrapping: client).openCounter(open, metadata: bearer(counter))
        for n in 0..<2 {
          var issue = Motcua_V1_IssueTicketRequest()
          issue.branchID = Self.branch.rawValue
          issue.serviceID = Self.service.rawValue
          issue.idempotencyKey = "fan-out-\(n)"
          _ = try await Motcua_V1_KioskService.Client(wrapping: client).issueTicket(issue, metadata: bearer(kiosk))
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      #expect(boards.count == 2 && boards.allSatisfy { $0.count == 4 })
      let (one, other) = (boards[0].dropFirst(), boards[1].dropFirst())
      #expect(one == other, "the boards received different bytes for the same events")
      let events = try one.map { try Motcua_V1_WatchBranchResponse(serializedBytes: $0) }
      #expect(try events.map { try $0.serializedBytes() as [UInt8] } == Array(one))
      #expect(events.map(\.event.kind) == [.counterOpened, .issued, .issued])
      #expect(events.map(\.event.number) == ["", "A001", "A002"])
      #expect(events[0].event.counterName == "Quầy 01")
      #expect(events[0].event.queues.isEmpty)  // a counter's event changes no queue
      for event in events.dropFirst() {
        let queue = event.event.queues.first { $0.serviceID == Self.service.rawValue }
        #expect(queue?.openCounters == 1 && queue?.prefix == "A")
      }
      #expect(events.last?.event.queues.first { $0.serviceID == Self.service.rawValue }?.waiting == 2)
    }
    await server.stop()
  }
}

/// Serializes the watch request for a raw call.
private struct WatchRequestSerializer: MessageSerializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ message: Motcua_V1_WatchBranchRequest) throws -> Bytes {
    Bytes(try message.serializedBytes() as [UInt8])
  }
}

/// Hands the received message bytes to the test unchanged.
private struct RawBytesDeserializer: MessageDeserializer {
  func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
    serializedMessageBytes.withUnsafeBytes { Array($0) }
  }
}
