import GRPCCore
import MotCuaDomain
import MotCuaClients
import MotCuaProtocol
@testable import MotCuaServer
import QueueEngine
import SwiftProtobuf
import Testing

/// Regression tests for defects found in review.
@Suite(.serialized) struct RegressionTests {
  static let branch = BranchID("hn-hoan-kiem")

  /// A board that never reads overflowed its buffer: finishing its stream under the hub's lock re-entered the
  /// lock and aborted the process. (The hub now keeps a board's events only until it goes live, at most
  /// `watcherBuffer` of them; a live board's stream is detached once that many pile up unread.)
  @Test func aWatcherThatNeverReadsIsDroppedWithoutCrashing() async throws {
    let hub = BranchHub(queues: [BranchQueue(branchID: Self.branch, tickets: [], counters: [], lastSequence: 0)])
    let (_, watch) = try #require(hub.watch(Self.branch))
    let counter = CounterState(counterID: CounterID("c"), branchID: Self.branch, isOpen: true, serviceIDs: [])
    let events = (1...UInt64(BranchHub.watcherBuffer + 5)).map { n in
      BranchEvent(
        branchID: Self.branch, sequence: n, kind: .counterOpened, at: Instant(millisecondsSinceEpoch: 0), actor: "t",
        ticket: nil, counter: counter, fromServiceID: nil, waitingAfter: [:])
    }
    hub.publish(Array(events.prefix(BranchHub.watcherBuffer)))
    #expect(hub.kept(watch)?.count == BranchHub.watcherBuffer)
    hub.publish(Array(events.dropFirst(BranchHub.watcherBuffer)))
    #expect(hub.kept(watch) == nil)
    #expect(hub.queue(Self.branch)?.lastSequence == UInt64(events.count))
  }

  /// An offline replay with an absurd issue time overflowed an integer and crashed the server.
  @Test func anOutOfRangeOfflineIssueTimeIsInvalidArgument() async throws {
    let server = try await TestServer.start()
    let kiosk = try await server.token(.kiosk, branch: Self.branch.rawValue)
    try await server.withClient { client in
      let kiosks = Motcua_V1_KioskService.Client(wrapping: client)
      var lease = Motcua_V1_LeaseNumbersRequest()
      lease.branchID = Self.branch.rawValue
      lease.serviceID = "civil-birth-registration"
      lease.count = 5
      lease.idempotencyKey = "lease-1"
      let granted = try await kiosks.leaseNumbers(lease, metadata: bearer(kiosk)).lease
      var request = Motcua_V1_IssueTicketRequest()
      request.branchID = Self.branch.rawValue
      request.serviceID = "civil-birth-registration"
      request.idempotencyKey = "offline-1"
      request.offline.leaseID = granted.leaseID
      request.offline.sequence = granted.firstSequence
      request.offline.ticketID = "8f14e45f-ceea-467f-a0b8-2f6c1a7e5d21"
      request.offline.trackingCode = "ABCDEFGH"
      request.offline.issuedAt = Google_Protobuf_Timestamp(seconds: 9_300_000_000_000_000, nanos: 0)
      let code = await statusCode { _ = try await kiosks.issueTicket(request, metadata: bearer(kiosk)) }
      #expect(code == .invalidArgument)
    }
    await server.stop()
  }

  /// A retry that arrived after the branch closed was refused although its ticket had been issued.
  @Test func aRetryAfterClosingTimeStillGetsItsTicket() async throws {
    let clock = ManualClock("2026-11-28", "11:59")  // Saturday: open until 12:00
    let server = try await TestServer.start(clock: clock)
    let kiosk = try await server.token(.kiosk, branch: Self.branch.rawValue)
    try await server.withClient { client in
      var request = Motcua_V1_IssueTicketRequest()
      request.branchID = Self.branch.rawValue
      request.serviceID = "civil-birth-registration"
      request.idempotencyKey = "just-in-time"
      let kiosks = Motcua_V1_KioskService.Client(wrapping: client)
      let first = try await kiosks.issueTicket(request, metadata: bearer(kiosk))
      clock.set("2026-11-28", "12:01")
      let retry = try await kiosks.issueTicket(request, metadata: bearer(kiosk))
      #expect(retry.replayed && retry.ticket.ticketID == first.ticket.ticketID)
      request.idempotencyKey = "too-late"
      let closed = await statusCode { _ = try await kiosks.issueTicket(request, metadata: bearer(kiosk)) }
      #expect(closed == .failedPrecondition)
    }
    await server.stop()
  }

  /// A counter's own token could open it for services it is not set up for.
  @Test func aCounterTokenOpensItsCounterOnlyForItsOwnServices() async throws {
    let server = try await TestServer.start()
    let catalogue = server.app.core.catalogue
    let counter = try #require(catalogue.counters(at: Self.branch).first)
    let foreign = try #require(catalogue.services(offeredAt: Self.branch).first { !counter.serviceIDs.contains($0.id) })
    let token = try await server.token(.counter, branch: Self.branch.rawValue, counter: counter.id.rawValue)
    let manager = try await server.token(.manager, branch: Self.branch.rawValue)
    try await server.withClient { client in
      let counters = Motcua_V1_CounterService.Client(wrapping: client)
      var open = Motcua_V1_OpenCounterRequest()
      open.counterID = counter.id.rawValue
      open.serviceIds = [foreign.id.rawValue]
      #expect(await statusCode { _ = try await counters.openCounter(open, metadata: bearer(token)) } == .permissionDenied)
      #expect(await statusCode { _ = try await counters.openCounter(open, metadata: bearer(manager)) } == .ok)
    }
    await server.stop()
  }
}
