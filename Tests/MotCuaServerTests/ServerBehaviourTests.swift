import Foundation
import GRPCCore
import MotCuaDomain
import MotCuaClients
import MotCuaProtocol
import Testing

/// The server as a whole, over a real socket: restart recovery, opening hours, the display stream.
@Suite(.serialized) struct ServerBehaviourTests {
  static let branch = "hn-hoan-kiem"
  static let service = "civil-birth-registration"
  static let counter = "hn-hoan-kiem-q01"

  func issue(_ client: GRPCClient<some ClientTransport>, token: String, key: String, priority: Motcua_V1_Priority = .none)
    async throws -> Motcua_V1_IssueTicketResponse
  {
    var request = Motcua_V1_IssueTicketRequest()
    request.branchID = Self.branch
    request.serviceID = Self.service
    request.idempotencyKey = key
    request.priority = priority
    return try await Motcua_V1_KioskService.Client(wrapping: client).issueTicket(request, metadata: bearer(token))
  }

  func waiting(_ client: GRPCClient<some ClientTransport>) async throws -> UInt32 {
    var request = Motcua_V1_ListServicesRequest()
    request.branchID = Self.branch
    let services = try await Motcua_V1_DirectoryService.Client(wrapping: client).listServices(request)
    return services.services.first { $0.serviceID == Self.service }!.peopleWaiting
  }

  @Test func aRestartedServerRebuildsItsQueuesFromTheStore() async throws {
    let clock = ManualClock("2026-11-27", "09:00")
    let first = try await TestServer.start(clock: clock)
    let kiosk = try await first.token(.kiosk, branch: Self.branch)
    let counter = try await first.token(.counter, branch: Self.branch, counter: Self.counter)
    let tickets = try await first.withClient { client in
      var issued: [Motcua_V1_Ticket] = []
      for n in 0..<4 {
        clock.advance(seconds: 30)
        issued.append(try await self.issue(client, token: kiosk, key: "k\(n)").ticket)
      }
      var open = Motcua_V1_OpenCounterRequest()
      open.serviceIds = [Self.service]
      _ = try await Motcua_V1_CounterService.Client(wrapping: client).openCounter(open, metadata: bearer(counter))
      _ = try await Motcua_V1_CounterService.Client(wrapping: client).callNext(.init(), metadata: bearer(counter))
      return issued
    }
    await first.stop()

    let second = try await TestServer.start(databasePath: first.databasePath, clock: clock)
    try await second.withClient { client in
      #expect(try await self.waiting(client) == 3)
      var track = Motcua_V1_TrackTicketRequest()
      track.ticketID = tickets[3].ticketID
      track.trackingCode = tickets[3].trackingCode
      let tracked = try await Motcua_V1_TicketService.Client(wrapping: client).trackTicket(track).ticket
      #expect(tracked.peopleAhead == 2 && tracked.state == .waiting && tracked.estimate.openCounters == 1)
      let counters = Motcua_V1_CounterService.Client(wrapping: client)
      let busy = await statusCode { _ = try await counters.callNext(.init(), metadata: bearer(counter)) }
      #expect(busy == .failedPrecondition)  // still holds the ticket it called before the restart
      var complete = Motcua_V1_CompleteRequest()
      complete.ticketID = tickets[0].ticketID
      _ = try await counters.complete(complete, metadata: bearer(counter))
      #expect(try await counters.callNext(.init(), metadata: bearer(counter)).ticket.number == tickets[1].number)
      let next = try await self.issue(client, token: kiosk, key: "after-restart").ticket
      #expect(next.number == "A005")
      let retry = try await self.issue(client, token: kiosk, key: "k0")
      #expect(retry.replayed && retry.ticket.ticketID == tickets[0].ticketID)
    }
    await second.stop()
  }

  /// A waiting ticket is tracked from the live view, a called one from the store: both check the tracking code.
  @Test func trackingChecksTheCodeForWaitingAndCalledTickets() async throws {
    let clock = ManualClock("2026-11-27", "09:00")
    let server = try await TestServer.start(clock: clock)
    let kiosk = try await server.token(.kiosk, branch: Self.branch)
    let counter = try await server.token(.counter, branch: Self.branch, counter: Self.counter)
    try await server.withClient { client in
      let first = try await self.issue(client, token: kiosk, key: "t1").ticket
      clock.advance(seconds: 30)  // tickets of the same instant are ordered by id, not by number
      let second = try await self.issue(client, token: kiosk, key: "t2").ticket
      let tickets = Motcua_V1_TicketService.Client(wrapping: client)
      func track(_ ticket: Motcua_V1_Ticket, code: String? = nil) async throws -> Motcua_V1_Ticket {
        var request = Motcua_V1_TrackTicketRequest()
        request.ticketID = ticket.ticketID
        request.trackingCode = code ?? ticket.trackingCode.lowercased()
        return try await tickets.trackTicket(request).ticket
      }
      let waiting = try await track(second)
      #expect(waiting.state == .waiting && waiting.peopleAhead == 1 && waiting.number == second.number)
      #expect(await statusCode { _ = try await track(second, code: "WRONG123") } == .notFound)

      var open = Motcua_V1_OpenCounterRequest()
      open.serviceIds = [Self.service]
      let counters = Motcua_V1_CounterService.Client(wrapping: client)
      _ = try await counters.openCounter(open, metadata: bearer(counter))
      #expect(try await counters.callNext(.init(), metadata: bearer(counter)).ticket.ticketID == first.ticketID)
      let called = try await track(first)
      #expect(called.state == .called && called.number == first.number)
      #expect(await statusCode { _ = try await track(first, code: "WRONG123") } == .notFound)
      #expect(try await track(second).peopleAhead == 0)
    }
    await server.stop()
  }

  @Test func aClosedBranchSaysWhenItOpens() async throws {
    let clock = ManualClock("2026-11-29", "10:00")  // a Sunday
    let server = try await TestServer.start(clock: clock)
    let kiosk = try await server.token(.kiosk, branch: Self.branch)
    try await server.withClient { client in
      do {
        _ = try await self.issue(client, token: kiosk, key: "sunday")
        Issue.record("a ticket was issued on a Sunday")
      } catch let error as RPCError {
        #expect(error.code == .failedPrecondition)
        #expect(error.message.contains("opens 2026-11-30 08:00"))
      }
      clock.set("2026-11-30", "08:00")
      #expect(try await self.issue(client, token: kiosk, key: "monday").ticket.number == "A001")
    }
    await server.stop()
  }

  @Test func displayBoardsGetASnapshotThenEveryEventInOrder() async throws {
    let server = try await TestServer.start()
    let kiosk = try await server.token(.kiosk, branch: Self.branch)
    try await server.withClient { client in
      _ = try await self.issue(client, token: kiosk, key: "before")
      var watch = Motcua_V1_WatchBranchRequest()
      watch.branchID = Self.branch
      let request = watch
      let messages = try await withThrowingTaskGroup(of: [Motcua_V1_WatchBranchResponse].self) { group in
        group.addTask {
          try await Motcua_V1_DisplayService.Client(wrapping: client).watchBranch(request) { response in
            var seen: [Motcua_V1_WatchBranchResponse] = []
            for try await message in response.messages {
              seen.append(message)
              if seen.count == 4 { break }
            }
            return seen
          }
        }
        try await Task.sleep(for: .milliseconds(200))
        for n in 0..<3 { _ = try await self.issue(client, token: kiosk, key: "after-\(n)") }
        return try await group.next()!
      }
      #expect(messages.first?.snapshot.sequence == 1)
      #expect(messages.first?.snapshot.queues.first { $0.serviceID == Self.service }?.waiting == 1)
      let events = messages.dropFirst().map(\.event)
      #expect(events.map(\.sequence) == [2, 3, 4])
      #expect(events.map(\.number) == ["A002", "A003", "A004"])
      #expect(events.last?.queues.first?.waiting == 4)
      #expect(events.allSatisfy { $0.kind == .issued })
    }
    await server.stop()
  }

  @Test func unauthenticatedCallersAreRateLimitedPerAddress() async throws {
    let server = try await TestServer.start(anonymousRate: 2)
    let codes = try await server.withClient { client in
      var codes: [Status.Code] = []
      for _ in 0..<8 {
        codes.append(await statusCode {
          _ = try await Motcua_V1_DirectoryService.Client(wrapping: client).listBranches(.init())
        })
      }
      return codes
    }
    #expect(codes.prefix(4).allSatisfy { $0 == .ok })
    #expect(codes.contains(.resourceExhausted))
    await server.stop()
  }

  /// A store that can no longer sync its log refuses writes with UNAVAILABLE, and health says NOT_SERVING — to a
  /// check, and on a watch that said SERVING before — so a load balancer stops sending it work. Here the WAL file
  /// is unlinked under the running server, so the next sync cannot find it.
  @Test func aStoreThatCannotSyncItsLogIsNotServing() async throws {
    let server = try await TestServer.start()
    let kiosk = try await server.token(.kiosk, branch: Self.branch)
    try await server.withClient { client in
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      #expect(try await health.check(.init()).status == .serving)
      _ = try await self.issue(client, token: kiosk, key: "before")
      let watched = Task {
        try await health.watch(.init()) { response in
          var statuses: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
          for try await message in response.messages {
            statuses.append(message.status)
            if message.status != .serving { break }
          }
          return statuses
        }
      }
      try await Task.sleep(for: .milliseconds(200))
      try FileManager.default.removeItem(atPath: server.databasePath + "-wal")
      let refused = await statusCode { _ = try await self.issue(client, token: kiosk, key: "after") }
      #expect(refused == .unavailable)
      let giveUp = Task {  // a watch that never changes would hold the test forever
        try await Task.sleep(for: .seconds(20))
        watched.cancel()
      }
      let statuses = try? await watched.value
      giveUp.cancel()
      #expect(statuses == [.serving, .notServing])
      #expect(try await health.check(.init()).status == .notServing)
      var kioskService = Grpc_Health_V1_HealthCheckRequest()
      kioskService.service = "motcua.v1.KioskService"
      #expect(try await health.check(kioskService).status == .notServing)
    }
    await server.stop()
  }

  @Test func aManagerReportCountsWaitsNoShowsSatisfactionAndPredictionAccuracy() async throws {
    let clock = ManualClock("2026-11-27", "09:00")
    let server = try await TestServer.start(clock: clock)
    let kiosk = try await server.token(.kiosk, branch: Self.branch)
    let counter = try await server.token(.counter, branch: Self.branch, counter: Self.counter)
    let manager = try await server.token(.manager, branch: Self.branch)
    try await server.withClient { client in
      let counters = Motcua_V1_CounterService.Client(wrapping: client)
      var open = Motcua_V1_OpenCounterRequest()
      open.serviceIds = [Self.service]
      _ = try await counters.openCounter(open, metadata: bearer(counter))
      var tickets: [Motcua_V1_Ticket] = []
      for n in 0..<3 {
        clock.advance(seconds: 1)
        tickets.append(try await self.issue(client, token: kiosk, key: "r\(n)").ticket)
      }
      #expect(tickets.allSatisfy { $0.estimate.method == "simulation" && $0.estimate.p90Seconds >= $0.estimate.p50Seconds })
      for (n, wait) in [(0, 300), (1, 1200), (2, 600)] {
        clock.advance(seconds: Int64(wait))
        let called = try await counters.callNext(.init(), metadata: bearer(counter)).ticket
        #expect(called.ticketID == tickets[n].ticketID)
        if n == 2 {
          var noShow = Motcua_V1_MarkNoShowRequest()
          noShow.ticketID = called.ticketID
          _ = try await counters.markNoShow(noShow, metadata: bearer(counter))
        } else {
          var complete = Motcua_V1_CompleteRequest()
          complete.ticketID = called.ticketID
          _ = try await counters.complete(complete, metadata: bearer(counter))
        }
      }
      var feedback = Motcua_V1_SubmitFeedbackRequest()
      feedback.ticketID = tickets[0].ticketID
      feedback.trackingCode = tickets[0].trackingCode
      feedback.score = 5
      _ = try await Motcua_V1_TicketService.Client(wrapping: client).submitFeedback(feedback)

      var request = Motcua_V1_GetBranchReportRequest()
      request.branchID = Self.branch
      request.dateFrom = "2026-11-27"
      request.dateTo = "2026-11-27"
      let reports = Motcua_V1_ReportService.Client(wrapping: client)
      let total = try await reports.getBranchReport(request, metadata: bearer(manager)).total
      // Issued at 09:00:01, :02, :03; called at 09:05:03, 09:25:03, 09:35:03: waits 302, 1501 and 2100 s.
      #expect(total.tickets == 3 && total.called == 3 && total.served == 2 && total.noShows == 1)
      #expect(abs(total.meanWaitSeconds - 1301) < 1 && total.p90WaitSeconds == 2100)
      #expect(abs(total.shareWithinTarget - 1.0 / 3) < 0.001 && abs(total.noShowRate - 1.0 / 3) < 0.001)
      #expect(total.feedbackCount == 1 && total.meanScore == 5 && total.shareSatisfied == 1)
      #expect(total.predictionsScored == 3 && total.p90Coverage >= 0 && total.p90Coverage <= 1)
      let denied = await statusCode { _ = try await reports.getBranchReport(request, metadata: bearer(kiosk)) }
      #expect(denied == .permissionDenied)
    }
    await server.stop()
  }

  @Test func servicesShowTheQueueExpectedIn30And60Minutes() async throws {
    let server = try await TestServer.start()
    let kiosk = try await server.token(.kiosk, branch: Self.branch)
    let counter = try await server.token(.counter, branch: Self.branch, counter: Self.counter)
    try await server.withClient { client in
      for n in 0..<6 {
        server.clock.advance(seconds: 10)
        _ = try await self.issue(client, token: kiosk, key: "o\(n)")
      }
      var open = Motcua_V1_OpenCounterRequest()
      open.serviceIds = [Self.service]
      _ = try await Motcua_V1_CounterService.Client(wrapping: client).openCounter(open, metadata: bearer(counter))
      var request = Motcua_V1_ListServicesRequest()
      request.branchID = Self.branch
      let info = try await Motcua_V1_DirectoryService.Client(wrapping: client).listServices(request).services
        .first { $0.serviceID == Self.service }!
      let perHour = info.in30Minutes.arrivalsPerHour
      let minutes = Double(info.typicalServiceSeconds) / 60
      #expect(perHour > 0)  // from the seed defaults: the branch is open and rostered
      for (outlook, window) in [(info.in30Minutes, 30.0), (info.in60Minutes, 60.0)] {
        let expected = max(0, 6 + perHour * window / 60 - window / minutes)
        #expect(abs(outlook.waiting - expected) < 0.11)
      }
    }
    await server.stop()
  }
}

extension ServerBehaviourTests {
  /// A server with more history than it learns before listening serves at once, with the queue-length formula,
  /// and its predictors take over once they have learned in the background: the same answer a server that
  /// learned first gives.
  @Test func aLongHistoryIsLearnedAfterTheServerListens() async throws {
    let clock = ManualClock("2026-11-27", "09:00")
    let first = try await TestServer.start(clock: clock)
    let kiosk = try await first.token(.kiosk, branch: Self.branch)
    try await first.withClient { client in
      for n in 0..<6 {
        clock.advance(seconds: 30)
        _ = try await self.issue(client, token: kiosk, key: "h\(n)")
      }
    }
    await first.stop()
    func predictWait(_ server: TestServer) async throws -> Motcua_V1_WaitEstimate {
      try await server.withClient { client in
        var request = Motcua_V1_PredictWaitRequest()
        request.branchID = Self.branch
        request.serviceID = Self.service
        return try await Motcua_V1_KioskService.Client(wrapping: client).predictWait(request).estimate
      }
    }
    let learnedFirst = try await TestServer.start(databasePath: first.databasePath, clock: clock)
    let expected = try await predictWait(learnedFirst)
    await learnedFirst.stop()
    #expect(expected.method == "simulation" && expected.peopleAhead == 6)

    let background = try await TestServer.start(databasePath: first.databasePath, clock: clock, learningInlineLimit: 0)
    var answer = try await predictWait(background)
    var tries = 0
    while answer.method != "simulation" && tries < 500 {
      #expect(answer.method == "queue-length" && answer.peopleAhead == 6)
      try await Task.sleep(for: .milliseconds(10))
      answer = try await predictWait(background)
      tries += 1
    }
    #expect(answer == expected)
    await background.stop()
  }
}
