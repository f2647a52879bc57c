import MotCuaDomain
import Synchronization
import WaitPrediction

/// One `BranchPredictor` per branch, fed every committed event in sequence order (by `BranchHub`) and the
/// counters' rosters of each new day; it answers the waits shown on tickets, kiosks and directories.
final class PredictionHub: Sendable {
  private struct State {
    var predictors: [BranchID: BranchPredictor]
    var rosterDay: [BranchID: LocalDate] = [:]
    /// Arrivals per branch × service × class × hour of the week (shared with the outlook; the city scheduler and
    /// staff planning read it too).
    var forecast: ArrivalForecast
    /// Tickets issued per branch × service on `issuedDay` (the city load's "arrivals today").
    var issuedDay: LocalDate?
    var issued: [BranchID: [ServiceID: Int]] = [:]
    /// Bumped whenever a branch's predictor learns anything: cached answers of an older version are stale.
    var versions: [BranchID: UInt64] = [:]
    /// The last answer for a new ticket per branch × service × priority (PredictWait, kiosks, directories).
    var newTicket: [NewTicketKey: CachedEstimate] = [:]
  }

  private struct NewTicketKey: Hashable {
    let branch: BranchID
    let service: ServiceID
    let priority: Priority
  }

  private struct CachedEstimate {
    let estimate: WaitEstimate?
    let version: UInt64
    let at: Instant
  }

  /// How long an answer for a new ticket is reused while nothing happens at its branch: a wait of minutes does
  /// not change in a few seconds, and PredictWait is the most frequent call of all.
  static let newTicketReuseSeconds: Int64 = 5

  private let catalogue: Catalogue
  private let staff: StaffRoster
  private let state: Mutex<State>

  init(catalogue: Catalogue, staff: StaffRoster) {
    self.catalogue = catalogue
    self.staff = staff
    let configuration = PredictorConfiguration(
      typicalServiceSeconds: Dictionary(
        uniqueKeysWithValues: catalogue.services.map { ($0.id, Double($0.typicalServiceSeconds)) }),
      civilTime: catalogue.civilTime)
    let demand = CatalogueDemand(catalogue: catalogue)
    self.state = Mutex(
      State(
        predictors: Dictionary(uniqueKeysWithValues: catalogue.branches.map {
          ($0.id, BranchPredictor(configuration: configuration))
        }),
        forecast: ArrivalForecast(civilTime: catalogue.civilTime, defaults: { demand.rate($0, $1) })))
  }

  /// Learns from one committed event.
  func observe(_ event: BranchEvent) {
    guard let mapped = Self.predictorEvent(event) else { return }
    self.state.withLock { state in
      self.prepare(&state, event.branchID, at: event.at)
      state.predictors[event.branchID]?.observe(mapped)
      state.versions[event.branchID, default: 0] &+= 1
      if event.kind == .issued, let ticket = event.ticket {
        let arrivalClass: ArrivalClass =
          ticket.dueAt != nil ? .appointment : ticket.priority == .none ? .walkIn : .priority
        state.forecast.record(
          .init(branchID: ticket.branchID, serviceID: ticket.originalServiceID, arrivalClass: arrivalClass),
          at: event.at)
        let day = self.catalogue.civilTime.date(of: event.at)
        if state.issuedDay != day {
          guard state.issuedDay.map({ $0 < day }) ?? true else { return }
          state.issuedDay = day
          state.issued = [:]
        }
        state.issued[ticket.branchID, default: [:]][ticket.originalServiceID, default: 0] += 1
      }
    }
  }

  /// Forecast arrivals per hour of a service at a branch in the hour starting at `instant`, all classes.
  func arrivalsPerHour(branch: BranchID, service: ServiceID, at instant: Instant) -> Double {
    guard !self.catalogue.isHoliday(self.catalogue.civilTime.date(of: instant)) else { return 0 }
    return self.state.withLock { state in
      ArrivalClass.allCases.reduce(0) { total, arrivalClass in
        total + state.forecast.forecast(
          .init(branchID: branch, serviceID: service, arrivalClass: arrivalClass), from: instant, hours: 1)[0]
      }
    }
  }

  /// Tickets issued on `day` per service at `branch` (empty for any day but the latest seen).
  func issued(branch: BranchID, on day: LocalDate) -> [ServiceID: Int] {
    self.state.withLock { $0.issuedDay == day ? $0.issued[branch] ?? [:] : [:] }
  }

  /// Forecast arrivals of a service at a branch between two instants of one day, all classes.
  func forecastArrivals(branch: BranchID, service: ServiceID, from start: Instant, to end: Instant) -> Double {
    guard end > start, !self.catalogue.isHoliday(self.catalogue.civilTime.date(of: start)) else { return 0 }
    let civil = self.catalogue.civilTime
    let startHour = civil.instant(on: civil.date(of: start), minute: civil.minuteOfDay(of: start) / 60 * 60)
    let hours = Int((end.secondsSinceEpoch - startHour.secondsSinceEpoch + 3599) / 3600)
    let rates = self.state.withLock { state in
      ArrivalClass.allCases.map { arrivalClass in
        state.forecast.forecast(
          .init(branchID: branch, serviceID: service, arrivalClass: arrivalClass), from: startHour, hours: hours)
      }
    }
    var total = 0.0
    for hour in 0..<hours {
      let from = max(start.secondsSinceEpoch, startHour.secondsSinceEpoch + Int64(hour) * 3600)
      let to = min(end.secondsSinceEpoch, startHour.secondsSinceEpoch + Int64(hour + 1) * 3600)
      let share = Double(max(0, to - from)) / 3600
      total += rates.reduce(0) { $0 + $1[hour] } * share
    }
    return total
  }

  /// The remaining wait of a waiting ticket, if the predictor knows it.
  func predict(_ ticket: Ticket, at now: Instant) -> WaitEstimate? {
    self.state.withLock { state in
      self.prepare(&state, ticket.branchID, at: now)
      return state.predictors[ticket.branchID]?.predict(ticket: ticket.id, at: now).map(Self.estimate)
    }
  }

  /// The wait of a ticket issued now (`estimate`; nil when the branch has no predictor). With `simulating`
  /// false only an answer reused from the last seconds is given: `known` is false when none is at hand.
  func predictNew(
    branch: BranchID, service: ServiceID, priority: Priority, at now: Instant, simulating: Bool = true
  ) -> (estimate: WaitEstimate?, known: Bool) {
    self.state.withLock { state in
      self.prepare(&state, branch, at: now)
      let key = NewTicketKey(branch: branch, service: service, priority: priority)
      let version = state.versions[branch, default: 0]
      if let cached = state.newTicket[key], cached.version == version, cached.at <= now,
        cached.at.seconds(until: now) < Self.newTicketReuseSeconds
      {
        return (cached.estimate, true)
      }
      guard simulating else { return (nil, false) }
      let estimate = state.predictors[branch].map {
        Self.estimate($0.predictNew(service: service, priority: priority, at: now))
      }
      state.newTicket[key] = CachedEstimate(estimate: estimate, version: version, at: now)
      return (estimate, true)
    }
  }

  /// Feeds the day's rosters the first time a branch is touched on a new day.
  private func prepare(_ state: inout State, _ branch: BranchID, at now: Instant) {
    let civil = self.catalogue.civilTime
    let today = civil.date(of: now)
    guard state.rosterDay[branch] != today else { return }
    state.rosterDay[branch] = today
    state.versions[branch, default: 0] &+= 1
    guard !self.catalogue.isHoliday(today) else { return }
    for counter in self.catalogue.counters(at: branch) {
      for interval in counter.roster.intervals(on: today.weekday) {
        state.predictors[branch]?.observe(
          .roster(
            counter: counter.id, services: counter.serviceIDs,
            from: civil.instant(on: today, minute: interval.opens.minuteOfDay),
            to: civil.instant(on: today, minute: interval.closes.minuteOfDay), at: now))
      }
    }
    let dayStart = civil.instant(on: today, minute: 0)
    let dayEnd = civil.instant(on: today.adding(days: 1), minute: 0)
    self.feed(self.staff.assignments(from: dayStart, to: dayEnd), branch: branch, into: &state, at: now)
  }

  /// Takes assignments just put in force into the rosters of the branches already prepared today (the others
  /// read them when first touched).
  func applyStaffing(_ assignments: [StaffAssignment], at now: Instant) {
    let today = self.catalogue.civilTime.date(of: now)
    self.state.withLock { state in
      for branch in Set(assignments.flatMap { [$0.fromBranch, $0.toBranch] }) where state.rosterDay[branch] == today {
        self.feed(assignments, branch: branch, into: &state, at: now)
        state.versions[branch, default: 0] &+= 1
      }
    }
  }

  /// A moved person's home counter loses the period; the destination gains a guest counter for it.
  private func feed(_ assignments: [StaffAssignment], branch: BranchID, into state: inout State, at now: Instant) {
    for a in assignments {
      if a.fromBranch == branch, let home = self.catalogue.staffMember(a.staffID)?.counterID {
        state.predictors[branch]?.observe(.rosterAbsence(counter: home, from: a.startsAt, to: a.endsAt, at: now))
      }
      if a.toBranch == branch {
        state.predictors[branch]?.observe(
          .roster(
            counter: StaffRoster.guestCounter(a.staffID), services: a.services, from: a.startsAt, to: a.endsAt,
            at: now))
      }
    }
  }

  static func estimate(_ p: WaitPrediction) -> WaitEstimate {
    WaitEstimate(
      meanSeconds: Int(p.meanSeconds.rounded()), p50Seconds: Int(p.p50Seconds.rounded()),
      p90Seconds: Int(p.p90Seconds.rounded()), peopleAhead: p.peopleAhead, openCounters: p.openCounters,
      assumesRosteredCounters: p.openCounters == 0, method: "simulation")
  }

  static func predictorEvent(_ e: BranchEvent) -> PredictorEvent? {
    switch e.kind {
    case .issued:
      guard let t = e.ticket else { return nil }
      return .issue(
        ticket: t.id, service: t.serviceID, priority: t.priority, appointment: t.dueAt != nil, slotStart: t.dueAt,
        at: e.at)
    case .called:
      guard let t = e.ticket else { return nil }
      return .call(ticket: t.id, counter: t.counterID, at: e.at)
    case .servingStarted:
      return e.ticket.map { .start(ticket: $0.id, at: e.at) }
    case .completed:
      return e.ticket.map { .complete(ticket: $0.id, at: e.at) }
    case .noShow:
      return e.ticket.map { .noShow(ticket: $0.id, at: e.at) }
    case .transferred:
      return e.ticket.map { .transfer(ticket: $0.id, service: $0.serviceID, at: e.at) }
    case .counterOpened:
      return e.counter.map { .counterOpen(counter: $0.counterID, services: $0.serviceIDs, at: e.at) }
    case .counterClosed:
      return e.counter.map { .counterClose(counter: $0.counterID, at: e.at) }
    case .recalled:
      return nil
    }
  }
}
