import CityScheduler
import MotCuaDomain
import MotCuaStore
import QueueEngine
import StageCPU
import Synchronization
import WaitPrediction

/// The city scheduler's questions answered from the live views: what each branch could offer a citizen, where
/// to send one, what the city's load is.
extension MotCuaCore {
  /// Kiosk suggestions look for branches within this many route kilometres.
  static let suggestionRadiusKm = 5.0
  /// How long a branch's suggestion candidates are reused (see `nearbyCandidates`).
  static let suggestionReuseSeconds: Int64 = 5

  /// Each branch offering `service` that a citizen leaving `origin` at `departure` by `mode` would find open
  /// on arrival, with the trip, the wait predicted for the arrival time and the branch's spare capacity.
  ///
  /// - Parameters:
  ///   - spareOnly: the capacity beyond the forecast arrivals (the chooser's cap); else the whole capacity,
  ///     for when every branch is past its spare capacity and the load can only be shared.
  ///   - withinKm: only branches at most this many route kilometres away.
  ///   - only: only this branch.
  func candidates(
    from origin: GeoPoint, service: Service, mode: TravelMode, departure: Instant, spareOnly: Bool = true,
    withinKm: Double? = nil, only: BranchID? = nil
  ) -> [Candidate] {
    self.catalogue.branches.compactMap { branch -> Candidate? in
      guard only.map({ $0 == branch.id }) ?? true, self.catalogue.offers(service.id, at: branch.id),
        let trip = self.travel.travel(from: origin, to: branch.id, mode: mode),
        withinKm.map({ trip.km <= $0 }) ?? true
      else { return nil }
      let arrival = departure.adding(seconds: Int64((trip.minutes * 60).rounded()))
      guard self.isOpen(branch, at: arrival) else { return nil }
      let (outlook, counters, perHour) = self.outlook(branch: branch.id, service: service, at: arrival)
      guard counters > 0, outlook.waitSeconds.isFinite else { return nil }
      let capacity = Double(counters) * 3600 / Double(max(1, service.typicalServiceSeconds))
      let servedAt = arrival.adding(seconds: Int64(outlook.waitSeconds.rounded()))
      return Candidate(
        branch: branch.id, travelMinutes: trip.minutes, distanceKm: trip.km,
        predictedWaitAtArrivalMinutes: outlook.waitSeconds / 60,
        spareCapacityPerHour: spareOnly ? max(0, capacity - perHour) : capacity,
        closesBeforeServed: self.closing(branch, at: arrival).map { servedAt > $0 } ?? false,
        minutesPerPending: Double(service.typicalServiceSeconds) / 60 / Double(counters))
    }
  }

  /// Up to three branches for a citizen, herding-safe (see `BranchChooser`); when none is open in time, the
  /// next opening of a branch offering the service. A departure within 15 minutes counts the chosen branch as
  /// an arrival to come.
  func recommend(from origin: GeoPoint, service: Service, mode: TravelMode, departure requested: Instant)
    -> (recommendations: [Recommendation], nextOpening: (Instant, BranchID)?)
  {
    let now = self.clock.now()
    let departure = max(requested, now)
    let record = departure <= now.adding(seconds: 15 * 60)
    let delay = Double(departure.millisecondsSinceEpoch - now.millisecondsSinceEpoch) / 60_000
    var ranked = self.city.rank(
      self.candidates(from: origin, service: service, mode: mode, departure: departure), service: service.id,
      at: now, record: record, delayMinutes: delay)
    if ranked.isEmpty {
      // Every branch past its spare capacity (or none open): share what capacity there is.
      ranked = self.city.rank(
        self.candidates(from: origin, service: service, mode: mode, departure: departure, spareOnly: false),
        service: service.id, at: now, record: record, delayMinutes: delay)
    }
    guard ranked.isEmpty else { return (ranked, nil) }
    let openings = self.catalogue.branches.compactMap { branch -> (Instant, BranchID)? in
      guard self.catalogue.offers(service.id, at: branch.id) else { return nil }
      let from = self.closing(branch, at: departure) ?? departure
      return self.catalogue.nextOpening(of: branch.openingHours, after: from).map { ($0, branch.id) }
    }
    return ([], openings.min { ($0.0, $0.1) < ($1.0, $1.1) })
  }

  /// For a citizen just issued a ticket at an overloaded `branch` (wait here at least the alert threshold): a
  /// branch within 5 km whose total time (motorbike + wait at arrival) is at least 15 minutes and 30% shorter.
  /// A suggestion counts as an arrival to come there.
  func suggestion(at branch: Branch, service: Service, waitHereSeconds: Int) -> Recommendation? {
    StageCPU.shared.measure(.suggest) {
      self.suggestionMeasured(at: branch, service: service, waitHereSeconds: waitHereSeconds)
    }
  }

  private func suggestionMeasured(at branch: Branch, service: Service, waitHereSeconds: Int) -> Recommendation? {
    let waitHere = Double(waitHereSeconds)
    guard waitHere >= Double(self.options.alertThresholdMinutes * 60) else { return nil }
    let now = self.clock.now()
    let (candidates, kept) = self.nearbyCandidates(of: branch, service: service, at: now)
    guard var best = self.city.rank(candidates, service: service.id, at: now, record: false).first else { return nil }
    if kept {
      // Kept candidates are up to 5 s old: the chosen branch is checked with its figures now (it may have closed
      // its counters for the service meanwhile).
      let fresh = self.candidates(
        from: GeoPoint(branch), service: service, mode: .motorbike, departure: now,
        withinKm: Self.suggestionRadiusKm, only: best.branch)
      guard let checked = self.city.rank(fresh, service: service.id, at: now, record: false).first else { return nil }
      best = checked
    }
    guard best.totalMinutes * 60 <= min(waitHere * 0.7, waitHere - 15 * 60) else { return nil }
    self.city.record(best, service: service.id, at: now)
    return best
  }

  /// The candidates for a suggestion at `branch`: the other branches within `suggestionRadiusKm` by motorbike.
  ///
  /// Kept per branch and service for `suggestionReuseSeconds`: in a surge an overloaded branch issues many tickets
  /// a second, and computing its neighbours' outlooks for each one cost more CPU than the rest of the suggestion.
  /// The neighbours' queues barely move in that time; the arrivals sent there since are counted by the herding
  /// ledger, which `CityLedger.rank` reads for every suggestion; `kept` says the list was reused, and the
  /// suggestion then checks the branch it chose afresh.
  func nearbyCandidates(of branch: Branch, service: Service, at now: Instant) -> (candidates: [Candidate], kept: Bool) {
    let key = "\(branch.id.rawValue)|\(service.id.rawValue)"
    if let kept = self.suggestionCandidates.withLock({ $0[key] }), kept.at <= now,
      now.millisecondsSinceEpoch - kept.at.millisecondsSinceEpoch < Self.suggestionReuseSeconds * 1000
    {
      return (kept.candidates, true)
    }
    let candidates = self.candidates(
      from: GeoPoint(branch), service: service, mode: .motorbike, departure: now, withinKm: Self.suggestionRadiusKm
    ).filter { $0.branch != branch.id }
    self.suggestionCandidates.withLock { $0[key] = (now, candidates) }
    return (candidates, false)
  }

  /// Every branch's load now. Cached until a branch changes or 10 seconds pass.
  func cityLoad() -> [BranchLoadFigures] {
    let now = self.clock.now()
    let key = CityLoadCache.Key(sequenceTotal: self.hub.sequenceTotal(), tenSeconds: now.secondsSinceEpoch / 10)
    if let cached = self.cityLoadCache.withLock({ $0?.key == key ? $0?.figures : nil }) { return cached }
    let figures = self.catalogue.branches.map { self.load(of: $0, at: now) }
    self.cityLoadCache.withLock { $0 = CityLoadCache(key: key, figures: figures) }
    return figures
  }

  /// Population within 30 minutes by motorbike of an open branch whose typical wait is at most an hour.
  func coverage(_ figures: [BranchLoadFigures]) -> Coverage {
    let now = self.clock.now()
    return Coverage(
      catalogue: self.catalogue, travel: self.travel,
      predictedWaitMinutes: Dictionary(
        uniqueKeysWithValues: figures.compactMap { f in f.typicalWaitSeconds.map { (f.branch.id, $0 / 60) } }),
      isOpen: Dictionary(uniqueKeysWithValues: figures.map { ($0.branch.id, self.isOpen($0.branch, at: now)) }))
  }

  private func load(of branch: Branch, at now: Instant) -> BranchLoadFigures {
    let queue = self.hub.queue(branch.id)
    let today = self.today
    let issued = self.predictions.issued(branch: branch.id, on: today)
    let midnight = self.catalogue.civilTime.instant(on: today, minute: 0)
    var listed: [BranchLoadFigures.ServiceFigures] = []
    var weightedWait = 0.0
    var weights = 0.0
    for service in self.catalogue.services(offeredAt: branch.id) {
      let waiting = queue?.waitingCount(for: service.id, on: today) ?? 0
      let open = queue?.openCounters(serving: service.id) ?? 0
      let arrivals = issued[service.id] ?? 0
      let active = waiting > 0 || open > 0 || arrivals > 0
      // The predictor for queues in play; the fluid outlook for idle ones (one simulation per busy queue only).
      let waitNow: Double
      if active, open > 0 || waiting > 0,
        let predicted = self.predictions.predictNew(branch: branch.id, service: service.id, priority: .none, at: now).estimate
      {
        waitNow = Double(predicted.meanSeconds)
      } else {
        waitNow = self.outlook(branch: branch.id, service: service, at: now).0.waitSeconds
      }
      if waitNow.isFinite {
        weightedWait += Double(service.demandWeight) * waitNow
        weights += Double(service.demandWeight)
      }
      guard active else { continue }
      let (in30, _, perHour30) = self.outlook(branch: branch.id, service: service, at: now.adding(seconds: 30 * 60))
      let (in60, _, perHour60) = self.outlook(branch: branch.id, service: service, at: now.adding(seconds: 60 * 60))
      listed.append(
        .init(
          service: service.id, waiting: waiting, openCounters: open, waitNowSeconds: waitNow, in30Minutes: in30,
          in60Minutes: in60, arrivalsPerHour30: perHour30, arrivalsPerHour60: perHour60, arrivalsToday: arrivals,
          forecastToday: self.predictions.forecastArrivals(branch: branch.id, service: service.id, from: midnight, to: now)))
    }
    return BranchLoadFigures(
      branch: branch, openNow: self.isOpen(branch, at: now),
      openCounters: queue?.counters.values.count(where: \.isOpen) ?? 0, services: listed,
      typicalWaitSeconds: weights > 0 ? weightedWait / weights : nil)
  }
}

/// The last city load computed, with what it was computed from.
struct CityLoadCache: Sendable {
  struct Key: Equatable, Sendable {
    let sequenceTotal: UInt64
    let tenSeconds: Int64
  }

  let key: Key
  let figures: [BranchLoadFigures]
}

extension MotCuaCore {
  /// Staff assignments overlapping a civil day.
  func assignments(on day: LocalDate) -> [StaffAssignment] {
    let civil = self.catalogue.civilTime
    return self.staff.assignments(from: civil.instant(on: day, minute: 0), to: civil.instant(on: day.adding(days: 1), minute: 0))
  }

  /// Closes the home counters of people whose assignment is in force at `now` (they have left), once per
  /// assignment: a counter found closed counts as done; one still holding a ticket stays open and is tried again
  /// at the next call (its clerk finishes first). Returns the counters closed now.
  func closeHomeCounters(at now: Instant) async -> [(counter: CounterID, assignment: StaffAssignment)] {
    var closed: [(CounterID, StaffAssignment)] = []
    for a in self.staff.assignments(from: now, to: now.adding(seconds: 1)) where a.covers(now) {
      let key = "\(a.planID)|\(a.staffID)"
      guard !self.leftHome.withLock({ $0.contains(key) }), let member = self.catalogue.staffMember(a.staffID) else {
        continue
      }
      guard self.hub.queue(member.branchID)?.counters[member.counterID]?.isOpen == true else {
        self.leftHome.withLock { _ = $0.insert(key) }
        continue
      }
      let command = SetCounterCommand(
        counterID: member.counterID, branchID: member.branchID, openFor: nil, principalID: "staffing:\(a.planID)",
        at: now)
      guard let outcome = try? await self.store.setCounter(command) else { continue }
      _ = self.commit(outcome)
      self.leftHome.withLock { _ = $0.insert(key) }
      closed.append((member.counterID, a))
    }
    return closed
  }

  /// Puts assignments in force in the live views: rosters, predictors, and the city load at once.
  func applyStaffing(_ assignments: [StaffAssignment]) {
    // Applied by this server's ApplyRebalance and again by the change feed (or by another server's): once.
    let added = self.staff.add(assignments)
    guard !added.isEmpty else { return }
    self.predictions.applyStaffing(added, at: self.clock.now())
    self.cityLoadCache.withLock { $0 = nil }
  }
}
