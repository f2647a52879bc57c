public import MotCuaDomain

/// One branch's live queues and counters, kept in memory as a cache of what the store committed: rebuilt
/// from the store at start and advanced by each committed event, in sequence order.
public struct BranchQueue: Sendable {
  public let branchID: BranchID
  /// The sequence of the last event applied.
  public private(set) var lastSequence: UInt64
  public private(set) var counters: [CounterID: CounterState]
  /// Waiting tickets per service, in call order.
  private var waiting: [ServiceID: [Ticket]]
  /// The service each waiting ticket waits for.
  private var waitingService: [TicketID: ServiceID]

  /// - Parameters:
  ///   - tickets: the branch's tickets that are not final (any state but DONE and NO_SHOW).
  ///   - counters: the recorded states of its counters.
  ///   - lastSequence: the sequence of the last event these reflect.
  public init(branchID: BranchID, tickets: [Ticket], counters: [CounterState], lastSequence: UInt64) {
    self.branchID = branchID
    self.lastSequence = lastSequence
    self.counters = Dictionary(counters.map { ($0.counterID, $0) }, uniquingKeysWith: { _, last in last })
    self.waiting = Dictionary(grouping: tickets.filter { $0.state == .waiting }, by: \.serviceID)
      .mapValues { $0.sorted(by: QueueOrder.precedes) }
    self.waitingService = Self.index(self.waiting)
  }

  /// Applies the next committed event.
  ///
  /// - Returns: false, changing nothing, unless `event.sequence` is `lastSequence + 1`.
  @discardableResult
  public mutating func apply(_ event: BranchEvent) -> Bool {
    guard event.branchID == self.branchID, event.sequence == self.lastSequence + 1 else { return false }
    self.lastSequence = event.sequence
    if let ticket = event.ticket {
      self.removeWaiting(ticket.id)
      if ticket.state == .waiting { self.insertWaiting(ticket) }
    }
    if let counter = event.counter {
      self.counters[counter.counterID] = counter
    }
    return true
  }

  /// Forgets waiting tickets of days before `day` (they expired at midnight).
  public mutating func prune(before day: LocalDate) {
    self.waiting = self.waiting.mapValues { $0.filter { $0.day >= day } }.filter { !$0.value.isEmpty }
    self.waitingService = Self.index(self.waiting)
  }

  /// The ticket `id` if it is waiting here.
  public func waitingTicket(_ id: TicketID) -> Ticket? {
    guard let service = self.waitingService[id] else { return nil }
    return self.waiting[service]?.first { $0.id == id }
  }

  /// Tickets waiting for `service` on `day`.
  public func waitingCount(for service: ServiceID, on day: LocalDate) -> Int {
    self.waiting[service, default: []].count { $0.day == day }
  }

  /// The waiting tickets of `service` on `day`, in call order.
  public func waitingTickets(for service: ServiceID, on day: LocalDate) -> [Ticket] {
    self.waiting[service, default: []].filter { $0.day == day }
  }

  /// Tickets of the same service and day that will be called before `ticket`.
  public func peopleAhead(of ticket: Ticket) -> Int {
    self.waiting[ticket.serviceID, default: []].count {
      $0.day == ticket.day && QueueOrder.precedes($0, ticket)
    }
  }

  /// Tickets a new ticket of `callRank` issued now for `service` would wait behind.
  public func peopleAhead(ofNewTicketWithRank callRank: Int, for service: ServiceID, on day: LocalDate) -> Int {
    self.waiting[service, default: []].count { $0.day == day && $0.callRank <= callRank }
  }

  /// Open counters whose current services include `service`.
  public func openCounters(serving service: ServiceID) -> Int {
    self.counters.values.count { $0.isOpen && $0.serviceIDs.contains(service) }
  }

  private mutating func removeWaiting(_ id: TicketID) {
    guard let service = self.waitingService.removeValue(forKey: id) else { return }
    self.waiting[service]?.removeAll { $0.id == id }
  }

  private mutating func insertWaiting(_ ticket: Ticket) {
    let position = self.waiting[ticket.serviceID].map { Self.insertionPoint(of: ticket, in: $0) } ?? 0
    // In place: a copy of the list taken out of the dictionary would make the insert copy every ticket in it.
    self.waiting[ticket.serviceID, default: []].insert(ticket, at: position)
    self.waitingService[ticket.id] = ticket.serviceID
  }

  /// Where `ticket` goes in `list` (in call order): after every ticket that precedes it.
  private static func insertionPoint(of ticket: Ticket, in list: [Ticket]) -> Int {
    var low = 0
    var high = list.count
    while low < high {
      let mid = (low + high) / 2
      if QueueOrder.precedes(list[mid], ticket) { low = mid + 1 } else { high = mid }
    }
    return low
  }

  private static func index(_ waiting: [ServiceID: [Ticket]]) -> [TicketID: ServiceID] {
    var index: [TicketID: ServiceID] = [:]
    for (service, tickets) in waiting {
      for ticket in tickets { index[ticket.id] = service }
    }
    return index
  }
}
