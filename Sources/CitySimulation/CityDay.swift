internal import CityScheduler

/// One policy's simulated day: the event loop over departures, arrivals, counters, closures, refreshes and
/// samples. Deterministic: the only randomness is in the citizens (drawn beforehand) and the policy's own seed.
struct CityDay<Choice: ChoicePolicy> {
  /// Seconds between queue samples (the swing measure's step).
  static var sampleSeconds: Double { 300 }
  /// The window over which a refresh measures recent arrival rates.
  static var rateWindowSeconds: Double { 1800 }

  private struct Track {
    var travelMinutes = 0.0
    var startSecond: Double?
    var servedAt: Int?
    var timesCalled = 0
    var reroutes = 0
    var knownClosed: Set<Int> = []
    /// Sent by the policy (not a non-complier, not the nearest policy).
    var sent = false
  }

  let layout: CityLayout
  let plan: SimulationPlan
  let citizens: [Citizen]
  let policy: Policy
  private var choice: Choice
  private var events = EventQueue()
  private var floors: [BranchFloor]
  private var tracks: [Track]
  private var samples: [[Double]]
  private var issued: [Int]
  private var serviceIndices: [Int]

  init(layout: CityLayout, plan: SimulationPlan, citizens: [Citizen], policy: Policy, choice: Choice) {
    self.layout = layout
    self.plan = plan
    self.citizens = citizens
    self.policy = policy
    self.choice = choice
    self.floors = layout.branches.map { BranchFloor(services: layout.typicalSeconds.count, desks: $0.desks.count) }
    self.tracks = Array(repeating: Track(), count: citizens.count)
    self.samples = layout.branches.map { _ in [] }
    self.issued = layout.branches.map { _ in 0 }
    self.serviceIndices = citizens.map { layout.serviceIndex[$0.service]! }
  }

  /// Runs the day to the last citizen called.
  mutating func run() -> PolicyRun {
    let start = Double(self.plan.firstHour) * 3600
    let end = Double(self.plan.endHour) * 3600
    let refreshSeconds = self.plan.refreshMinutes * 60
    var second = start
    while second <= end {
      self.events.schedule(.refresh, atSecond: second)
      second += refreshSeconds
    }
    for closure in self.plan.closures {
      guard let index = self.layout.branchIndex[closure.branch] else { continue }
      self.events.schedule(.close(branch: index), atSecond: closure.atHour * 3600)
    }
    second = start
    while second <= end {
      self.events.schedule(.sample, atSecond: second)
      second += Self.sampleSeconds
    }
    for (index, branch) in self.layout.branches.enumerated() {
      for wake in branch.wakeSeconds { self.events.schedule(.wake(branch: index), atSecond: wake) }
    }
    for citizen in self.citizens {
      self.events.schedule(.depart(citizen: citizen.id), atSecond: citizen.departureSecond)
    }

    while let (now, event) = self.events.next() {
      switch event {
      case .depart(let citizen):
        self.send(citizen, from: self.citizens[citizen].origin, atSecond: now)
      case .arrive(let citizen, let branch):
        self.arrive(citizen, at: branch, atSecond: now)
      case .complete(let branch, let desk):
        self.floors[branch].finishServing(atDesk: desk)
        self.callTickets(at: branch, atSecond: now)
      case .wake(let branch):
        self.callTickets(at: branch, atSecond: now)
      case .close(let branch):
        for citizen in self.floors[branch].closeAndEmpty() {
          self.tracks[citizen].knownClosed.insert(branch)
          self.tracks[citizen].reroutes += 1
          self.send(citizen, from: self.layout.branches[branch].point, atSecond: now)
        }
      case .refresh:
        self.choice.refresh(self.snapshot(atSecond: now))
      case .sample:
        for index in self.floors.indices { self.samples[index].append(self.queueMinutes(at: index, atSecond: now)) }
      }
    }

    let outcomes = self.citizens.map { citizen in
      let track = self.tracks[citizen.id]
      return CitizenOutcome(
        servedAt: track.servedAt.map { self.layout.branches[$0].id }, timesCalled: track.timesCalled,
        travelMinutes: track.travelMinutes,
        totalMinutes: track.startSecond.map { ($0 - citizen.departureSecond) / 60 } ?? .infinity,
        reroutes: track.reroutes)
    }
    return PolicyRun(
      policy: self.policy, outcomes: outcomes, branches: self.layout.branches.map(\.id), queueSamples: self.samples,
      ticketsIssued: self.issued)
  }

  /// Chooses the citizen's next branch from `origin` and schedules the arrival; nobody left to try: unserved.
  private mutating func send(_ citizen: Int, from origin: GeoPoint, atSecond now: Double) {
    let person = self.citizens[citizen]
    let service = self.serviceIndices[citizen]
    let excluded = self.tracks[citizen].knownClosed
    var target: Int?
    var sent = false
    if self.policy != .nearest && person.follows {
      target = self.choice.choose(for: person, serviceIndex: service, from: origin, atSecond: now, excluding: excluded)
      sent = target != nil
    }
    if target == nil {
      target = nearestBranch(layout: self.layout, serviceIndex: service, from: origin, excluding: excluded)
    }
    guard let target else { return }
    let minutes = self.layout.travelMinutes(from: origin, to: target).minutes
    self.tracks[citizen].travelMinutes += minutes
    self.tracks[citizen].sent = sent
    self.events.schedule(.arrive(citizen: citizen, branch: target), atSecond: now + minutes * 60)
  }

  private mutating func arrive(_ citizen: Int, at branch: Int, atSecond now: Double) {
    if self.floors[branch].closed {
      self.tracks[citizen].knownClosed.insert(branch)
      self.tracks[citizen].reroutes += 1
      self.send(citizen, from: self.layout.branches[branch].point, atSecond: now)
      return
    }
    let service = self.serviceIndices[citizen]
    if self.tracks[citizen].sent {
      self.choice.arrived(self.citizens[citizen], serviceIndex: service, branch: branch, atSecond: now)
    }
    self.floors[branch].issueTicket(to: citizen, serviceIndex: service, atSecond: now, sent: self.tracks[citizen].sent)
    self.issued[branch] += 1
    self.callTickets(at: branch, atSecond: now)
  }

  /// Every idle working counter of the branch calls the oldest ticket among its services.
  private mutating func callTickets(at branch: Int, atSecond now: Double) {
    let layout = self.layout.branches[branch]
    for desk in layout.desks.indices
    where self.floors[branch].serving[desk] == nil && layout.isWorking(desk: desk, atSecond: now) {
      guard let citizen = self.floors[branch].callOldest(among: layout.desks[desk].serviceIndices) else { continue }
      self.floors[branch].startServing(citizen, atDesk: desk, atSecond: now)
      self.tracks[citizen].startSecond = now
      self.tracks[citizen].servedAt = branch
      self.tracks[citizen].timesCalled += 1
      self.events.schedule(
        .complete(branch: branch, desk: desk), atSecond: now + self.citizens[citizen].serviceSeconds)
    }
  }

  /// The branch's queue as the wait it represents: the typical minutes of every waiting ticket over the counters
  /// working now (at least one).
  private func queueMinutes(at index: Int, atSecond now: Double) -> Double {
    let branch = self.layout.branches[index]
    let work = self.layout.typicalSeconds.indices.map {
      Double(self.floors[index].waitingCount(for: $0)) * self.layout.typicalSeconds[$0]
    }.reduce(0, +)
    let working = branch.desks.indices.count(where: { branch.isWorking(desk: $0, atSecond: now) })
    return work / 60 / Double(max(1, working))
  }

  /// What a policy is told at a refresh: closures, each pool's work ahead, recent arrival rates, posted waits.
  private func snapshot(atSecond now: Double) -> CitySnapshot {
    let typical = self.layout.typicalSeconds
    let window = min(Self.rateWindowSeconds, max(600, now - Double(self.plan.firstHour) * 3600))
    let pools = self.layout.branches.enumerated().map { index, branch in
      let floor = self.floors[index]
      var work = [Double](repeating: 0, count: branch.pools.count)
      var arriving = work
      var walkingIn = work
      for service in typical.indices {
        guard let pool = branch.poolOfService[service] else { continue }
        work[pool] += Double(floor.waitingCount(for: service)) * typical[service]
      }
      for (desk, serving) in floor.serving.enumerated() {
        guard let serving, let service = branch.desks[desk].serviceIndices.first,
          let pool = branch.poolOfService[service]
        else { continue }
        work[pool] += max(0, typical[self.serviceIndices[serving.citizen]] - (now - serving.since))
      }
      for issue in floor.issues.reversed() {
        guard issue.second > now - window else { break }
        guard let pool = branch.poolOfService[issue.serviceIndex] else { continue }
        arriving[pool] += typical[issue.serviceIndex] / window
        if !issue.sent { walkingIn[pool] += typical[issue.serviceIndex] / window }
      }
      return branch.pools.indices.map { pool in
        CitySnapshot.PoolState(
          work: work[pool], arrivalWorkRate: arriving[pool], walkInWorkRate: walkingIn[pool],
          postedWaitMinutes: branch.pools[pool].curve.wait(behind: work[pool], from: now) / 60)
      }
    }
    return CitySnapshot(second: now, closed: self.floors.map(\.closed), pools: pools)
  }
}
