import MotCuaDomain
import StageCPU
import Synchronization
import WaitPrediction

/// One `BranchPredictor` per branch, fed every committed event in sequence order (by `BranchHub`) and the
/// counters' rosters of each new day; it answers the waits shown on tickets, kiosks and directories.
final class PredictionHub: Sendable {
  fileprivate struct State {
    var predictors: [BranchID: BranchPredictor]
    var rosterDay: [BranchID: LocalDate] = [:]
    /// Arrivals per branch × service × class × hour of the week (shared with the outlook; the city scheduler and
    /// staff planning read it too).
    var forecast: ArrivalForecast
    /// Tickets issued per branch × service on `issuedDay` (the city load's "arrivals today").
    var issuedDay: LocalDate?
    var issued: [BranchID: [ServiceID: Int]] = [:]
    /// While learning from history: the live events and staffing changes to learn after it.
    var deferred: [Deferred]?
  }

  fileprivate enum Deferred: Sendable {
    case event(BranchEvent)
    case staffing([StaffAssignment], Instant)
  }

  private let catalogue: Catalogue
  private let staff: StaffRoster
  private let configuration: PredictorConfiguration
  private let state: Mutex<State>

  init(catalogue: Catalogue, staff: StaffRoster) {
    self.catalogue = catalogue
    self.staff = staff
    self.configuration = PredictorConfiguration(
      typicalServiceSeconds: Dictionary(
        uniqueKeysWithValues: catalogue.services.map { ($0.id, Double($0.typicalServiceSeconds)) }),
      civilTime: catalogue.civilTime)
    self.state = Mutex(Self.initialState(catalogue: catalogue, configuration: self.configuration))
  }

  /// Predictors and a forecast that have seen nothing yet.
  private static func initialState(catalogue: Catalogue, configuration: PredictorConfiguration) -> State {
    let demand = CatalogueDemand(catalogue: catalogue)
    return State(
      predictors: Dictionary(uniqueKeysWithValues: catalogue.branches.map {
        ($0.id, BranchPredictor(configuration: configuration))
      }),
      forecast: ArrivalForecast(civilTime: catalogue.civilTime, defaults: { demand.rate($0, $1) }))
  }

  /// Learns from one committed event (kept for later while the predictors learn from history).
  func observe(_ event: BranchEvent) {
    StageCPU.shared.measure(.predict) { self.observeMeasured(event) }
  }

  private func observeMeasured(_ event: BranchEvent) {
    self.state.withLock { state in
      if state.deferred != nil {
        state.deferred?.append(.event(event))
        return
      }
      self.apply(event, to: &state, calibrating: true)
    }
  }

  /// Learns from one event; `calibrating` false skips the at-issue prediction (history too old to calibrate).
  private func apply(_ event: BranchEvent, to state: inout State, calibrating: Bool) {
    guard let mapped = Self.predictorEvent(event) else { return }
    self.prepare(&state, event.branchID, at: event.at)
    state.predictors[event.branchID]?.observe(mapped, calibrating: calibrating)
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

  // MARK: - Learning from history

  /// Predictors being taught past events off the lock (see `beginLearning`); `finishLearning` puts them in place.
  struct Learning: Sendable {
    fileprivate var state: State
    /// The last sequence learned per branch: live events kept meanwhile up to it are not learned twice.
    fileprivate var learnedUpTo: [BranchID: UInt64] = [:]
  }

  /// While learning from history, the at-issue predictions of tickets issued in a branch's last this many events
  /// are simulated (about three classes' calibration windows of tickets, at four events each: issued, called,
  /// started, completed); older tickets teach service times and arrivals only.
  var calibratedHistoryEvents: UInt64 { UInt64(4 * 3 * self.configuration.calibrationWindow) }

  /// Until `finishLearning`, predictions are nil (callers fall back to the queue-length formula) and live events
  /// and staffing changes are kept, to be learned after the history.
  func beginLearning() {
    self.state.withLock { state in
      if state.deferred == nil { state.deferred = [] }
    }
  }

  /// Whether the predictors are still learning from history.
  var isLearning: Bool { self.state.withLock { $0.deferred != nil } }

  /// Fresh predictors for `learn(_:into:)`.
  func makeLearning() -> Learning {
    Learning(state: Self.initialState(catalogue: self.catalogue, configuration: self.configuration))
  }

  /// Teaches past events of one branch, in sequence order, to `learning`; those with a sequence above
  /// `calibratingAfter` also calibrate (see `calibratedHistoryEvents`).
  func learn(_ events: [BranchEvent], calibratingAfter: UInt64, into learning: inout Learning) {
    for event in events {
      self.apply(event, to: &learning.state, calibrating: event.sequence > calibratingAfter)
      learning.learnedUpTo[event.branchID] = max(learning.learnedUpTo[event.branchID] ?? 0, event.sequence)
    }
  }

  /// Puts the learned predictors in place and teaches them what was kept meanwhile, in the order it came.
  func finishLearning(_ learning: Learning) {
    var learning = learning
    self.state.withLock { state in
      for kept in state.deferred ?? [] {
        switch kept {
        case .event(let event):
          guard event.sequence > learning.learnedUpTo[event.branchID] ?? 0 else { continue }
          self.apply(event, to: &learning.state, calibrating: true)
        case .staffing(let assignments, let at):
          self.applyStaffing(assignments, to: &learning.state, at: at)
        }
      }
      state = learning.state
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
    StageCPU.shared.measure(.predict) {
      self.state.withLock { state in
        guard state.deferred == nil else { return nil }
        self.prepare(&state, ticket.branchID, at: now)
        return state.predictors[ticket.branchID]?.predict(ticket: ticket.id, at: now).map(Self.estimate)
      }
    }
  }

  /// The wait of a ticket issued now (`estimate`; nil when the branch has no predictor). With `simulating`
  /// false only an answer reused from the last seconds (`BranchPredictor.reusedPredictNew`) is given: `known` is
  /// false when none is at hand.
  func predictNew(
    branch: BranchID, service: ServiceID, priority: Priority, at now: Instant, simulating: Bool = true
  ) -> (estimate: WaitEstimate?, known: Bool) {
    StageCPU.shared.measure(.predict) {
      self.state.withLock { state in
        guard state.deferred == nil, state.predictors[branch] != nil else { return (nil, true) }
        self.prepare(&state, branch, at: now)
        guard simulating else {
          let reused = state.predictors[branch]?.reusedPredictNew(service: service, priority: priority, at: now)
          return (reused.map(Self.estimate), reused != nil)
        }
        let predicted = state.predictors[branch]?.predictNew(service: service, priority: priority, at: now)
        return (predicted.map(Self.estimate), true)
      }
    }
  }

  /// Feeds the day's rosters the first time a branch is touched on a new day.
  private func prepare(_ state: inout State, _ branch: BranchID, at now: Instant) {
    let civil = self.catalogue.civilTime
    let today = civil.date(of: now)
    guard state.rosterDay[branch] != today else { return }
    state.rosterDay[branch] = today
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
    self.state.withLock { state in
      if state.deferred != nil {
        state.deferred?.append(.staffing(assignments, now))
        return
      }
      self.applyStaffing(assignments, to: &state, at: now)
    }
  }

  private func applyStaffing(_ assignments: [StaffAssignment], to state: inout State, at now: Instant) {
    let today = self.catalogue.civilTime.date(of: now)
    for branch in Set(assignments.flatMap { [$0.fromBranch, $0.toBranch] }) where state.rosterDay[branch] == today {
      self.feed(assignments, branch: branch, into: &state, at: now)
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
