import CityScheduler
import MotCuaDomain
import MotCuaProtocol
import MotCuaStore
import QueueEngine
import StaffPlanning
import SwiftProtobuf

/// `StaffService.ProposeRebalance`: the city's staffing over a horizon as one planning instance.
///
/// A branch's counters fall into pools by the skills of the staff who work them (civil status, certification,
/// land, …): a pool's procedures are those of its counters, its demand their forecast arrivals over the horizon,
/// its staff the people rostered there then. Each pool is one M/M/s queue of the planner (`StaffPlanner`); a
/// person may move to a pool whose procedures they all know, within the distance limit, but never away from a
/// pool that cannot keep up with its own demand, and nobody already assigned during the horizon moves again.
extension StaffHandler {
  static let maxHorizonHours: UInt32 = 12
  static let maxMoves: UInt32 = 100
  static let maxAheadDays: Int64 = 7

  /// One pool of one branch.
  struct Pool: Hashable {
    let branch: Branch
    let services: [ServiceID]
    var id: BranchID { BranchID("\(self.branch.id)|\(self.services.map(\.rawValue).joined(separator: ","))") }
  }

  func proposeRebalance(_ request: Motcua_V1_ProposeRebalanceRequest, _ context: CallContext) async throws
    -> Motcua_V1_ProposeRebalanceResponse
  {
    _ = try await self.requireCityManager(context, for: "ProposeRebalance")
    let now = self.core.clock.now()
    guard (1...Self.maxHorizonHours).contains(request.horizonHours) else {
      throw DomainError.invalidArgument("horizon_hours must be 1–\(Self.maxHorizonHours)")
    }
    guard (1...Self.maxMoves).contains(request.maxMoves) else {
      throw DomainError.invalidArgument("max_moves must be 1–\(Self.maxMoves)")
    }
    guard request.maxDistanceKm > 0, request.maxDistanceKm <= 200 else {
      throw DomainError.invalidArgument("max_distance_km must be more than 0 and at most 200")
    }
    guard request.target.share >= 0, request.target.share <= 1, request.target.withinMinutes <= 24 * 60 else {
      throw DomainError.invalidArgument("target.share must be 0–1 and target.within_minutes at most 1440")
    }
    let target = ServiceTarget(
      withinMinutes: Double(request.target.withinMinutes == 0 ? 15 : request.target.withinMinutes),
      share: request.target.share == 0 ? 0.8 : request.target.share)
    var start = now
    if request.hasHorizonStart {
      start = try Instant(request.horizonStart, field: "horizon_start")
      guard start >= now.adding(seconds: -60) else {
        throw DomainError.invalidArgument("horizon_start is in the past; plan from now or later")
      }
      guard start <= now.adding(seconds: Self.maxAheadDays * 86_400) else {
        throw DomainError.invalidArgument("horizon_start must be within \(Self.maxAheadDays) days")
      }
      start = max(start, now)
    }
    let hours = Int(request.horizonHours)
    let end = start.adding(seconds: Int64(hours) * 3600)
    let catalogue = self.core.catalogue
    guard !catalogue.staff.isEmpty else {
      throw DomainError.failedPrecondition("the catalogue has no staff (seeds/staff.json); nothing to rebalance")
    }
    let version = try await self.core.store.staffingVersion()

    // Pools: each branch's counters grouped by the skills of their home staff.
    var poolOfCounter: [CounterID: Pool] = [:]
    let skillsOfCounter = Dictionary(
      catalogue.staff.map { ($0.counterID, Set($0.skills)) }, uniquingKeysWith: { $0.union($1) })
    for branch in catalogue.branches {
      let groups = Dictionary(grouping: catalogue.counters(at: branch.id)) { skillsOfCounter[$0.id] ?? Set($0.serviceIDs) }
      for (_, counters) in groups {
        let services = Set(counters.flatMap(\.serviceIDs)).sorted()
        let pool = Pool(branch: branch, services: services)
        for counter in counters { poolOfCounter[counter.id] = pool }
      }
    }
    let pools = Set(poolOfCounter.values).sorted { $0.id < $1.id }
    let poolByID = Dictionary(uniqueKeysWithValues: pools.map { ($0.id, $0) })

    // Demand: forecast arrivals per pool and service, averaged over the horizon; per hour for the sizing.
    var demand: [BranchDemand] = []
    var hourly: [BranchID: [Double]] = [:]
    for pool in pools {
      var perHour = Array(repeating: 0.0, count: hours)
      for service in pool.services {
        var total = 0.0
        for hour in 0..<hours {
          let from = start.adding(seconds: Int64(hour) * 3600)
          let arrivals = self.core.predictions.forecastArrivals(
            branch: pool.branch.id, service: service, from: from, to: from.adding(seconds: 3600))
          perHour[hour] += arrivals
          total += arrivals
        }
        if total > 0 { demand.append(BranchDemand(branch: pool.id, service: service, arrivalsPerHour: total / Double(hours))) }
      }
      hourly[pool.id] = perHour
    }

    // Staff: those rostered during the horizon, where their assignments put them (else at home).
    let samples = (0..<hours).map { start.adding(seconds: Int64($0) * 3600 + 1800) }
    let staff = catalogue.staff.compactMap { member -> PlanningStaff? in
      guard let home = catalogue.counter(member.counterID),
        samples.contains(where: { catalogue.isOpen(home.roster, at: $0) }),
        let homePool = poolOfCounter[home.id]
      else { return nil }
      let at = self.core.staff.branch(of: member, at: start)
      let pool =
        at == member.branchID
        ? homePool : pools.first { $0.branch.id == at && Set($0.services).isSubset(of: Set(member.skills)) } ?? homePool
      return PlanningStaff(id: member.id, branch: pool.id, skills: Set(member.skills))
    }

    // Never take people from a pool that cannot keep up (the model's flat penalty for an unstable pool would let
    // the planner drain it to settle others): its staff are pinned, with no skills to move with.
    var offered: [BranchID: Double] = [:]
    for d in demand {
      offered[d.branch, default: 0] += d.arrivalsPerHour * Double(catalogue.service(d.service)?.typicalServiceSeconds ?? 0) / 3600
    }
    let staffed = Dictionary(grouping: staff, by: \.branch).mapValues(\.count)
    let pinned = Set(offered.filter { pool, load in load >= Double(staffed[pool] ?? 0) }.keys)
    // Nor anyone already assigned somewhere during the horizon: a second move would count them twice.
    let committed = Set(self.core.staff.assignments(from: start, to: end).map(\.staffID))
    let movable = staff.map {
      pinned.contains($0.branch) || committed.contains($0.id) ? PlanningStaff(id: $0.id, branch: $0.branch, skills: []) : $0
    }

    let problem = RebalanceProblem(
      maxMoves: Int(request.maxMoves), maxDistanceKm: request.maxDistanceKm,
      branches: pools.map {
        PlanningBranch(id: $0.id, location: GeoPoint($0.branch), requiredSkills: Set($0.services))
      },
      services: catalogue.services.map {
        PlanningService(id: $0.id, meanServiceMinutes: Double($0.typicalServiceSeconds) / 60)
      },
      demand: demand, staff: movable, target: target)
    let plan = try StaffPlanner().plan(problem)

    // Erlang A for the sizing where citizens give up: θ per pool from the last 28 days (no-shows among calls).
    var abandonment: [BranchID: Double] = [:]
    let today = catalogue.civilTime.date(of: now)
    for (branch, branchPools) in Dictionary(grouping: pools, by: \.branch.id) {
      let outcomes = try await self.core.store.ticketOutcomes(branch: branch, from: today.adding(days: -28), to: today)
      for pool in branchPools {
        let called = outcomes.filter { $0.calledAt != nil && pool.services.contains($0.serviceID) }
        guard called.count >= Self.minimumCallsForAbandonment else { continue }
        let waits = called.compactMap { o in o.calledAt.map { Double($0.millisecondsSinceEpoch - o.issuedAt.millisecondsSinceEpoch) / 60_000 } }
        abandonment[pool.id] = AbandonmentRate.perHour(
          giveUpShare: Double(called.count { $0.state == .noShow }) / Double(called.count),
          meanWaitMinutes: waits.reduce(0, +) / Double(waits.count))
      }
    }

    var response = Motcua_V1_ProposeRebalanceResponse()
    response.planID = "pl_" + RandomText.make(length: 20, alphabet: RandomText.lowerBase32)
    let moves = plan.moves.compactMap { move -> StaffAssignment? in
      guard let from = poolByID[move.from], let to = poolByID[move.to],
        let member = catalogue.staffMember(move.staff)
      else { return nil }
      return StaffAssignment(
        staffID: move.staff, fromBranch: from.branch.id, toBranch: to.branch.id,
        services: to.services.filter(member.skills.contains), startsAt: start, endsAt: end, planID: response.planID)
    }
    response.moves = moves.map(Motcua_V1_StaffAssignment.init)
    response.objectiveBefore = plan.objectiveBefore
    response.objective = plan.objective
    response.pools = plan.branches.compactMap { outcome -> Motcua_V1_PoolPlan? in
      guard let pool = poolByID[outcome.id], outcome.arrivalsPerHour > 0 || outcome.staff > 0 || outcome.staffBefore > 0
      else { return nil }
      var p = Motcua_V1_PoolPlan()
      p.branchID = pool.branch.id.rawValue
      p.serviceIds = pool.services.map(\.rawValue)
      p.arrivalsPerHour = outcome.arrivalsPerHour
      p.meanServiceMinutes = outcome.meanServiceMinutes
      p.staffBefore = UInt32(outcome.staffBefore)
      p.staffAfter = UInt32(outcome.staff)
      p.meanWaitMinutesBefore = Self.finite(outcome.meanWaitMinutesBefore)
      p.meanWaitMinutesAfter = Self.finite(outcome.meanWaitMinutes)
      p.shareWithinTargetBefore = outcome.shareWithinTargetBefore ?? 0
      p.shareWithinTargetAfter = outcome.shareWithinTarget ?? 0
      p.countersNeeded = (hourly[pool.id] ?? []).map { arrivals in
        guard arrivals > 0 else { return 0 }
        let sized = StaffSizing.counters(
          for: ServicePool(
            arrivalsPerHour: arrivals, meanServiceMinutes: max(0.1, outcome.meanServiceMinutes),
            abandonmentPerHour: abandonment[pool.id] ?? 0),
          target: target)
        return UInt32(clamping: sized ?? Int(UInt32.max))
      }
      return p
    }
    response.branches = Self.branchPlans(response.pools)
    let short = plan.shortfalls
    response.targetMet = short.isEmpty
    if !short.isEmpty {
      response.shortfall =
        "\(short.count) pool(s) stay below \(Int(target.share * 100))% within \(Int(target.withinMinutes)) min: "
        + short.prefix(10).compactMap { o in
          poolByID[o.id].map { "\($0.branch.id) \($0.services.first?.rawValue ?? "")… \(Int(((o.shareWithinTarget ?? 0) * 100).rounded()))%" }
        }.joined(separator: "; ")
    }
    try await self.core.store.savePlan(
      StaffPlanRecord(
        id: response.planID, createdAt: now, staffingVersion: version, moves: moves,
        body: try response.serializedBytes()))
    return response
  }

  /// Pools with fewer calls in 28 days are sized by Erlang C.
  static let minimumCallsForAbandonment = 20

  static func finite(_ minutes: Double) -> Double { minutes.isFinite ? min(minutes, 1e6) : 1e6 }

  /// Each branch's pools summed (staff, arrivals) and arrival-weighted (waits, shares).
  static func branchPlans(_ pools: [Motcua_V1_PoolPlan]) -> [Motcua_V1_BranchPlan] {
    Dictionary(grouping: pools, by: \.branchID).sorted { $0.key < $1.key }.map { branch, pools in
      let arrivals = pools.reduce(0) { $0 + $1.arrivalsPerHour }
      func weighted(_ value: (Motcua_V1_PoolPlan) -> Double) -> Double {
        arrivals > 0 ? pools.reduce(0) { $0 + $1.arrivalsPerHour * value($1) } / arrivals : 0
      }
      var b = Motcua_V1_BranchPlan()
      b.branchID = branch
      b.arrivalsPerHour = arrivals
      b.staffBefore = pools.reduce(0) { $0 + $1.staffBefore }
      b.staffAfter = pools.reduce(0) { $0 + $1.staffAfter }
      b.meanWaitMinutesBefore = weighted(\.meanWaitMinutesBefore)
      b.meanWaitMinutesAfter = weighted(\.meanWaitMinutesAfter)
      b.shareWithinTargetBefore = weighted(\.shareWithinTargetBefore)
      b.shareWithinTargetAfter = weighted(\.shareWithinTargetAfter)
      return b
    }
  }
}
