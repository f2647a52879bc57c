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
    /// The queue position key: the issue time, or the transfer time of a ticket sent back to a queue.
    var queuedAt: Instant
    var state: State = .waiting
    var calledAt: Instant?
    var counter: CounterID?
    var wasCalled = false
    var atIssue: QuantileCalibrator.Raw?

    /// 0 priority, 1 appointment, 2 walk-in: the calibration class.
    var ticketClass: Int { self.priority != .none ? 0 : self.appointment ? 1 : 2 }
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
  var tickets: [TicketID: TicketRecord] = [:]
  var arrivals = OvertakingArrivals()
  var calibrator: QuantileCalibrator
  var currentDay: LocalDate?

  /// A predictor that has seen nothing yet.
  public init(configuration: PredictorConfiguration = PredictorConfiguration()) {
    self.configuration = configuration
    self.calibrator = QuantileCalibrator(window: configuration.calibrationWindow)
  }

  /// Applies one event. Events must come in time order; events about unknown tickets are ignored.
  public mutating func observe(_ event: PredictorEvent) {
    self.rollDay(to: event.instant)
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
      self.issue(ticket, service: service, priority: priority, appointment: appointment, slotStart: slotStart, at: at)
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
      self.tickets[ticket] = record
    case .start(let ticket, _):
      if self.tickets[ticket]?.state == .called { self.tickets[ticket]?.state = .started }
    case .complete(let ticket, let at):
      guard let record = self.tickets.removeValue(forKey: ticket), let calledAt = record.calledAt else { return }
      let seconds = Double(at.millisecondsSinceEpoch - calledAt.millisecondsSinceEpoch) / 1000
      self.serviceTimes[record.service].add(seconds: seconds)
      self.pooledServiceTime.add(seconds: seconds)
      self.calls[record.service] += 1
    case .noShow(let ticket, let at):
      guard let record = self.tickets.removeValue(forKey: ticket), let calledAt = record.calledAt else { return }
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
      self.tickets[ticket] = record
    }
  }

  private mutating func issue(
    _ ticket: TicketID, service: ServiceID, priority: Priority, appointment: Bool, slotStart: Instant?, at: Instant
  ) {
    let s = self.index(of: service)
    let record = TicketRecord(
      service: s, priority: priority, appointment: appointment, slotStart: appointment ? slotStart : nil,
      issuedAt: at, queuedAt: at)
    if priority != .none {
      self.arrivals.record(.priority, hour: self.localHour(at), service: s)
    } else if appointment {
      self.arrivals.record(.appointment, hour: self.localHour(max(at, slotStart ?? at)), service: s)
    }
    self.tickets[ticket] = record
    // The at-issue prediction is kept to calibrate later ones against the actual wait.
    let raw = self.simulate(target: record, id: ticket, at: at).raw
    self.tickets[ticket]?.atIssue = raw
  }

  /// Starts a new local day: yesterday's tickets and open counters are dropped, its arrivals averaged in.
  private mutating func rollDay(to now: Instant) {
    let day = self.configuration.civilTime.date(of: now)
    guard day != self.currentDay else { return }
    if self.currentDay != nil { self.arrivals.closeDay() }
    self.currentDay = day
    self.tickets.removeAll(keepingCapacity: true)
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
