import MotCuaDomain

/// Predicts wait times at one branch from the events it observes: an event-driven state machine with the
/// time injected (it never reads a clock), fed the same events the store records and the replay log carries.
///
/// It needs no training step. Service-time distributions start at the catalogue's typical times and learn from
/// every completed or absent call; no-show shares, overtaking arrival rates and the correction of its own
/// quantiles are learned the same way. A prediction simulates the queue ahead of the ticket (see
/// `QueueSimulation`) with the counters open now, the roster for the rest of the day, the elapsed time of the
/// tickets at counters, due appointments and the overtaking arrivals, and then applies the learned correction.
public struct BranchPredictor: Sendable {
  struct TicketRecord: Sendable {
    enum State: Sendable { case waiting, called, started }
    var service: Int
    var priority: Priority
    var appointment: Bool
    var slotStart: Instant?
    var issuedAt: Instant
    /// The queue position key: the issue time, or the transfer time of a ticket sent back to a queue …
    var queuedAt: Instant
    /// … and, within one instant, the order in which the predictor saw it queued.
    var order: UInt64
    var state: State = .waiting
    var calledAt: Instant?
    var counter: CounterID?
    var wasCalled = false
    /// The prediction made as it was issued (uncorrected), with the people ahead and counters open then.
    var atIssue: QuantileCalibrator.Raw?
    var peopleAheadAtIssue = 0
    var openCountersAtIssue = 0
    /// `BranchPredictor.eventsObserved` just after its issue: while unchanged, the people ahead are as at issue.
    var eventsObservedAtIssue: UInt64 = 0

    /// 0 priority, 1 appointment, 2 walk-in: the calibration class, and the rank it is called in.
    var ticketClass: Int { self.priority != .none ? 0 : self.appointment ? 1 : 2 }
  }

  /// The last simulated wait of a new ticket of one service and rank, reused for
  /// `PredictorConfiguration.outlookReuseSeconds` while the branch's counters and rosters stay as they were and
  /// the queue ahead changed by at most 2 people or a quarter: tickets issued or called since move its centre by
  /// `secondsPerPerson` each and widen or narrow its spread (see `reusedOutlook`).
  struct NewTicketOutlook: Sendable {
    var raw: QuantileCalibrator.Raw
    var peopleAhead: Int
    var openCounters: Int
    var secondsPerPerson: Double
    var at: Instant
    var counterVersion: UInt64
  }

  struct RosterInterval: Sendable, Hashable {
    var from: Instant
    var to: Instant
    var mask: UInt64
  }

  struct CounterRecord: Sendable {
    var mask: UInt64 = 0
    var isOpen = false
    var roster: [RosterInterval] = []
  }

  let configuration: PredictorConfiguration
  var serviceIndex: [ServiceID: Int] = [:]
  var serviceIDs: [ServiceID] = []
  var serviceTimes: [LogNormalEstimate] = []
  var calls: [Double] = []
  var noShows: [Double] = []
  var pooledServiceTime = LogNormalEstimate()
  var noShowTime = LogNormalEstimate()
  var counters: [CounterID: CounterRecord] = [:]
  /// Today's tickets not yet completed; change them through `setTicket` so that the counts below follow.
  private(set) var tickets: [TicketID: TicketRecord] = [:]
  /// Waiting tickets per rank (0...2) and service index: the people ahead of a new ticket without a scan.
  private(set) var waitingCounts: [[Int]] = [[], [], []]
  /// Waiting appointment tickets (rank 1) and their slot start: they are not ahead of anyone before it.
  private(set) var waitingAppointments: [TicketID: (slot: Instant, service: Int)] = [:]
  var nextOrder: UInt64 = 0
  /// Events observed so far.
  private(set) var eventsObserved: UInt64 = 0
  var arrivals = OvertakingArrivals()
  var calibrator: QuantileCalibrator
  var currentDay: LocalDate?
  /// Bumped when counters open or close, rosters change or a day starts: outlooks of an older version are stale.
  var counterVersion: UInt64 = 0
  /// Per `service index × 3 + rank`.
  var outlooks: [Int: NewTicketOutlook] = [:]

  /// A predictor that has seen nothing yet.
  public init(configuration: PredictorConfiguration = PredictorConfiguration()) {
    self.configuration = configuration
    self.calibrator = QuantileCalibrator(window: configuration.calibrationWindow)
  }

  /// Applies one event. Events must come in time order; events about unknown tickets are ignored.
  ///
  /// - Parameter calibrating: false skips the prediction an issued ticket keeps to calibrate later ones (for
  ///   history too old to fall in the calibration window: it still teaches service times and arrivals).
  public mutating func observe(_ event: PredictorEvent, calibrating: Bool = true) {
    self.eventsObserved &+= 1
    self.rollDay(to: event.instant)
    switch event {
    case .roster, .rosterAbsence, .counterOpen, .counterClose: self.counterVersion &+= 1
    default: break
    }
    switch event {
    case .roster(let counter, let services, let from, let to, _):
      guard from < to else { return }
      let interval = RosterInterval(from: from, to: to, mask: self.mask(of: services))
      if !self.counters[counter, default: CounterRecord()].roster.contains(interval) {
        self.counters[counter, default: CounterRecord()].roster.append(interval)
      }
    case .rosterAbsence(let counter, let from, let to, _):
      guard from < to, let roster = self.counters[counter]?.roster else { return }
      self.counters[counter]?.roster = roster.flatMap { interval -> [RosterInterval] in
        guard interval.from < to && from < interval.to else { return [interval] }
        var kept: [RosterInterval] = []
        if interval.from < from { kept.append(RosterInterval(from: interval.from, to: from, mask: interval.mask)) }
        if to < interval.to { kept.append(RosterInterval(from: to, to: interval.to, mask: interval.mask)) }
        return kept
      }
    case .counterOpen(let counter, let services, _):
      self.counters[counter, default: CounterRecord()].isOpen = true
      self.counters[counter, default: CounterRecord()].mask = self.mask(of: services)
    case .counterClose(let counter, _):
      self.counters[counter]?.isOpen = false
    case .issue(let ticket, let service, let priority, let appointment, let slotStart, let at):
      self.issue(
        ticket, service: service, priority: priority, appointment: appointment, slotStart: slotStart, at: at,
        calibrating: calibrating)
    case .call(let ticket, let counter, let at):
      guard var record = self.tickets[ticket] else { return }
      if !record.wasCalled, let raw = record.atIssue {
        let actual = Double(at.millisecondsSinceEpoch - record.issuedAt.millisecondsSinceEpoch) / 1000
        self.calibrator.record(raw, ticketClass: record.ticketClass, actual: max(0, actual))
      }
      record.wasCalled = true
      record.state = .called
      record.calledAt = at
      record.counter = counter
      self.setTicket(ticket, record)
    case .start(let ticket, _):
      if self.tickets[ticket]?.state == .called { self.tickets[ticket]?.state = .started }
    case .complete(let ticket, let at):
      guard let record = self.setTicket(ticket, nil), let calledAt = record.calledAt else { return }
      let seconds = Double(at.millisecondsSinceEpoch - calledAt.millisecondsSinceEpoch) / 1000
      self.serviceTimes[record.service].add(seconds: seconds)
      self.pooledServiceTime.add(seconds: seconds)
      self.calls[record.service] += 1
    case .noShow(let ticket, let at):
      guard let record = self.setTicket(ticket, nil), let calledAt = record.calledAt else { return }
      self.noShowTime.add(seconds: Double(at.millisecondsSinceEpoch - calledAt.millisecondsSinceEpoch) / 1000)
      self.calls[record.service] += 1
      self.noShows[record.service] += 1
    case .transfer(let ticket, let service, let at):
      guard var record = self.tickets[ticket] else { return }
      record.service = self.index(of: service)
      record.state = .waiting
      record.calledAt = nil
      record.counter = nil
      record.queuedAt = at
      record.order = self.takeOrder()
      self.setTicket(ticket, record)
    }
  }

  /// Replaces (or with nil removes) a ticket's record, keeping the waiting counts; returns the old record.
  @discardableResult
  private mutating func setTicket(_ id: TicketID, _ record: TicketRecord?) -> TicketRecord? {
    let old = self.tickets[id]
    if let old, old.state == .waiting { self.countWaiting(id, old, by: -1) }
    if let record, record.state == .waiting { self.countWaiting(id, record, by: 1) }
    self.tickets[id] = record
    return old
  }

  private mutating func countWaiting(_ id: TicketID, _ record: TicketRecord, by delta: Int) {
    let rank = record.ticketClass
    while self.waitingCounts[rank].count <= record.service { self.waitingCounts[rank].append(0) }
    self.waitingCounts[rank][record.service] += delta
    if rank == 1, let slot = record.slotStart {
      self.waitingAppointments[id] = delta > 0 ? (slot, record.service) : nil
    }
  }

  private mutating func takeOrder() -> UInt64 {
    defer { self.nextOrder &+= 1 }
    return self.nextOrder
  }

  private mutating func issue(
    _ ticket: TicketID, service: ServiceID, priority: Priority, appointment: Bool, slotStart: Instant?, at: Instant,
    calibrating: Bool
  ) {
    let s = self.index(of: service)
    var record = TicketRecord(
      service: s, priority: priority, appointment: appointment, slotStart: appointment ? slotStart : nil,
      issuedAt: at, queuedAt: at, order: self.takeOrder())
    if priority != .none {
      self.arrivals.record(.priority, hour: self.localHour(at), service: s)
    } else if appointment {
      self.arrivals.record(.appointment, hour: self.localHour(max(at, slotStart ?? at)), service: s)
    }
    // The at-issue prediction (made before the ticket joins, so it is not ahead of itself) is kept to answer
    // the issuing kiosk and to calibrate later predictions against the actual wait.
    if calibrating {
      let outlook = self.newTicketOutlook(record, at: at)
      record.atIssue = outlook.raw
      record.peopleAheadAtIssue = outlook.peopleAhead
      record.openCountersAtIssue = outlook.openCounters
      record.eventsObservedAtIssue = self.eventsObserved
    }
    self.setTicket(ticket, record)
  }

  /// Starts a new local day: yesterday's tickets and open counters are dropped, its arrivals averaged in.
  private mutating func rollDay(to now: Instant) {
    let day = self.configuration.civilTime.date(of: now)
    guard day != self.currentDay else { return }
    if self.currentDay != nil { self.arrivals.closeDay() }
    self.currentDay = day
    self.tickets.removeAll(keepingCapacity: true)
    self.waitingCounts = [[], [], []]
    self.waitingAppointments = [:]
    self.outlooks = [:]
    self.counterVersion &+= 1
    for id in self.counters.keys {
      self.counters[id]?.isOpen = false
      self.counters[id]?.roster.removeAll { $0.to <= now }
    }
  }

  func localHour(_ instant: Instant) -> Int {
    self.configuration.civilTime.minuteOfDay(of: instant) / 60
  }

  mutating func index(of service: ServiceID) -> Int {
    if let i = self.serviceIndex[service] { return i }
    let i = self.serviceIDs.count
    self.serviceIndex[service] = i
    self.serviceIDs.append(service)
    self.serviceTimes.append(LogNormalEstimate())
    self.calls.append(0)
    self.noShows.append(0)
    return i
  }

  mutating func mask(of services: [ServiceID]) -> UInt64 {
    services.reduce(0) { $0 | QueueSimulation.bit(self.index(of: $1)) }
  }
}
