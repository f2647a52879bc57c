import GRPCCore
import MotCuaDomain
import MotCuaClients
import MotCuaProtocol
import SwiftProtobuf
import Testing

/// `StaffService` over a real socket (Friday 2026-11-27 09:00): who works where, proposing and applying moves.
@Suite(.serialized) struct StaffTests {
  static let busy = "hn-hoan-kiem"
  static let service = "civil-birth-registration"

  func staff(_ client: GRPCClient<some ClientTransport>) -> Motcua_V1_StaffService.Client<some ClientTransport> {
    Motcua_V1_StaffService.Client(wrapping: client)
  }

  func propose(
    _ client: GRPCClient<some ClientTransport>, token: String?, hours: UInt32 = 4, maxMoves: UInt32 = 5,
    distance: Double = 15, start: Instant? = nil, share: Double = 0
  ) async throws -> Motcua_V1_ProposeRebalanceResponse {
    var request = Motcua_V1_ProposeRebalanceRequest()
    request.target.share = share
    request.horizonHours = hours
    request.maxMoves = maxMoves
    request.maxDistanceKm = distance
    if let start { request.horizonStart = Google_Protobuf_Timestamp(seconds: start.secondsSinceEpoch) }
    return try await self.staff(client).proposeRebalance(request, metadata: bearer(token))
  }

  func apply(_ client: GRPCClient<some ClientTransport>, token: String, plan: String) async throws
    -> Motcua_V1_ApplyRebalanceResponse
  {
    var request = Motcua_V1_ApplyRebalanceRequest()
    request.planID = plan
    return try await self.staff(client).applyRebalance(request, metadata: bearer(token))
  }

  /// A crowd at Hoàn Kiếm's civil-status desks: the arrival forecast learns it.
  func crowd(_ client: GRPCClient<some ClientTransport>, server: TestServer, tickets: Int) async throws {
    let kiosk = try await server.token(.kiosk, branch: Self.busy)
    for n in 0..<tickets {
      var request = Motcua_V1_IssueTicketRequest()
      request.branchID = Self.busy
      request.serviceID = Self.service
      request.idempotencyKey = "crowd-\(n)"
      _ = try await Motcua_V1_KioskService.Client(wrapping: client).issueTicket(request, metadata: bearer(kiosk))
    }
  }

  @Test func managersListTheirStaffAndOthersMayNot() async throws {
    let server = try await TestServer.start()
    let city = try await server.token(.manager)
    let branch = try await server.token(.manager, branch: Self.busy)
    let kiosk = try await server.token(.kiosk, branch: Self.busy)
    try await server.withClient { client in
      let all = try await self.staff(client).listStaff(Motcua_V1_ListStaffRequest(), metadata: bearer(city))
      #expect(all.staff.count == 262)
      var mine = Motcua_V1_ListStaffRequest()
      mine.branchID = Self.busy
      let local = try await self.staff(client).listStaff(mine, metadata: bearer(branch))
      #expect(!local.staff.isEmpty && local.staff.allSatisfy { $0.homeBranchID == Self.busy && $0.branchID == Self.busy })
      #expect(local.staff.allSatisfy { !$0.skills.isEmpty && $0.homeCounterID.hasPrefix(Self.busy) })
      let wholeCityAsBranch = await statusCode {
        _ = try await self.staff(client).listStaff(Motcua_V1_ListStaffRequest(), metadata: bearer(branch))
      }
      let asKiosk = await statusCode { _ = try await self.staff(client).listStaff(mine, metadata: bearer(kiosk)) }
      #expect(wholeCityAsBranch == .permissionDenied && asKiosk == .permissionDenied)
    }
    await server.stop()
  }

  @Test func badProposalsSayWhatIsWrong() async throws {
    let server = try await TestServer.start()
    let city = try await server.token(.manager)
    let branch = try await server.token(.manager, branch: Self.busy)
    try await server.withClient { client in
      let codes = [
        await statusCode { _ = try await self.propose(client, token: city, hours: 0) },
        await statusCode { _ = try await self.propose(client, token: city, maxMoves: 0) },
        await statusCode { _ = try await self.propose(client, token: city, distance: 0) },
        await statusCode {
          _ = try await self.propose(client, token: city, start: server.clock.now().adding(seconds: -3600))
        },
      ]
      #expect(codes == Array(repeating: .invalidArgument, count: 4))
      let share: Status.Code = await statusCode { _ = try await self.propose(client, token: city, share: 1.5) }
      #expect(share == .invalidArgument)
      #expect(await statusCode { _ = try await self.propose(client, token: branch) } == .permissionDenied)
      #expect(await statusCode { _ = try await self.apply(client, token: city, plan: "pl_nope") } == .notFound)
    }
    await server.stop()
  }

  @Test func aProposalMovesStaffTowardsTheCrowdAndApplyingItPutsThemThere() async throws {
    let server = try await TestServer.start()
    let city = try await server.token(.manager)
    try await server.withClient { client in
      try await self.crowd(client, server: server, tickets: 120)
      let plan = try await self.propose(client, token: city, maxMoves: 3)
      #expect(!plan.planID.isEmpty)
      #expect((1...3).contains(plan.moves.count))
      #expect(plan.objective < plan.objectiveBefore)
      #expect(plan.moves.contains { $0.toBranchID == Self.busy && $0.serviceIds.contains(Self.service) })
      // Nobody leaves the overloaded pool.
      #expect(!plan.moves.contains { $0.fromBranchID == Self.busy && $0.serviceIds.contains(Self.service) })
      let busyPool = try #require(plan.pools.first { $0.branchID == Self.busy && $0.serviceIds.contains(Self.service) })
      #expect(busyPool.staffAfter > busyPool.staffBefore)
      #expect(busyPool.meanWaitMinutesAfter < busyPool.meanWaitMinutesBefore)
      #expect(busyPool.countersNeeded.count == 4 && busyPool.countersNeeded.allSatisfy { $0 >= 1 })
      let busyBranch = try #require(plan.branches.first { $0.branchID == Self.busy })
      #expect(busyBranch.staffAfter > busyBranch.staffBefore)
      #expect(busyBranch.meanWaitMinutesAfter < busyBranch.meanWaitMinutesBefore)
      #expect(busyBranch.shareWithinTargetAfter > busyBranch.shareWithinTargetBefore)

      // The first mover is at work at home; applying the plan sends them off and closes their counter.
      let everyone = try await self.staff(client).listStaff(Motcua_V1_ListStaffRequest(), metadata: bearer(city))
      let mover = try #require(everyone.staff.first { $0.staffID == plan.moves[0].staffID })
      let moverToken = try await server.token(.counter, branch: mover.homeBranchID, counter: mover.homeCounterID)
      var open = Motcua_V1_OpenCounterRequest()
      open.counterID = mover.homeCounterID
      _ = try await Motcua_V1_CounterService.Client(wrapping: client).openCounter(open, metadata: bearer(moverToken))

      // The destination's outlook counts the newcomers at once.
      let before = try await self.outlook(client)
      let applied = try await self.apply(client, token: city, plan: plan.planID)
      #expect(!applied.alreadyApplied && applied.assignments.map(\.staffID) == plan.moves.map(\.staffID))
      #expect(applied.closedCounterIds == [mover.homeCounterID])
      var counters = Motcua_V1_ListCountersRequest()
      counters.branchID = mover.homeBranchID
      let listed = try await Motcua_V1_DirectoryService.Client(wrapping: client).listCounters(counters)
      #expect(listed.counters.first { $0.counterID == mover.homeCounterID }?.open == false)
      let after = try await self.outlook(client)
      #expect(after < before)
      let again = try await self.apply(client, token: city, plan: plan.planID)
      #expect(again.alreadyApplied && again.assignments == applied.assignments && again.closedCounterIds.isEmpty)

      let staffNow = try await self.staff(client).listStaff(Motcua_V1_ListStaffRequest(), metadata: bearer(city))
      for move in plan.moves {
        let member = try #require(staffNow.staff.first { $0.staffID == move.staffID })
        #expect(member.branchID == move.toBranchID && member.assignments.count == 1)
      }
    }
    await server.stop()
  }

  @Test func aPlanProposedBeforeAnotherWasAppliedIsOutOfDate() async throws {
    let server = try await TestServer.start()
    let city = try await server.token(.manager)
    try await server.withClient { client in
      try await self.crowd(client, server: server, tickets: 60)
      let first = try await self.propose(client, token: city)
      let second = try await self.propose(client, token: city)
      _ = try await self.apply(client, token: city, plan: first.planID)
      #expect(await statusCode { _ = try await self.apply(client, token: city, plan: second.planID) } == .failedPrecondition)
      let third = try await self.propose(client, token: city)
      // Nobody already moved by the first plan is moved again in the same hours.
      #expect(Set(third.moves.map(\.staffID)).isDisjoint(with: first.moves.map(\.staffID)))
      #expect(try await self.apply(client, token: city, plan: third.planID).alreadyApplied == false)
    }
    await server.stop()
  }

  /// The wait Hoàn Kiếm's birth-registration queue is expected to have in 30 minutes (counters rostered then).
  func outlook(_ client: GRPCClient<some ClientTransport>) async throws -> UInt32 {
    var request = Motcua_V1_ListServicesRequest()
    request.branchID = Self.busy
    let services = try await Motcua_V1_DirectoryService.Client(wrapping: client).listServices(request)
    return try #require(services.services.first { $0.serviceID == Self.service }).in30Minutes.waitSeconds
  }
}
