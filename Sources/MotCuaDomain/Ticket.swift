/// A queue ticket, as the store records it.
public struct Ticket: Hashable, Sendable, Identifiable, Codable {
  public let id: TicketID
  public let branchID: BranchID
  /// The queue it is in now (changes on transfer).
  public var serviceID: ServiceID
  /// The service it was issued for.
  public let originalServiceID: ServiceID
  /// The civil day its number belongs to.
  public let day: LocalDate
  /// 1, 2, … per branch × service × day.
  public let sequence: Int
  /// Prefix letter + at least three digits, e.g. "B017".
  public let number: String
  public let priority: Priority
  /// Lower is called first; see `PriorityPolicy`.
  public var callRank: Int
  public var state: TicketState
  /// The original issue time; a transfer keeps it, so the ticket keeps its place.
  public let issuedAt: Instant
  public var calledAt: Instant?
  public var servingStartedAt: Instant?
  public var completedAt: Instant?
  public var counterID: CounterID?
  public var recallCount: Int
  /// Printed on the ticket; with the id it proves holding it.
  public let trackingCode: String
  /// For a checked-in appointment: its slot's start, from when it is called ahead of walk-ins.
  public var dueAt: Instant?

  public init(
    id: TicketID, branchID: BranchID, serviceID: ServiceID, originalServiceID: ServiceID, day: LocalDate,
    sequence: Int, number: String, priority: Priority, callRank: Int, state: TicketState, issuedAt: Instant,
    calledAt: Instant? = nil, servingStartedAt: Instant? = nil, completedAt: Instant? = nil,
    counterID: CounterID? = nil, recallCount: Int = 0, trackingCode: String, dueAt: Instant? = nil
  ) {
    self.id = id
    self.branchID = branchID
    self.serviceID = serviceID
    self.originalServiceID = originalServiceID
    self.day = day
    self.sequence = sequence
    self.number = number
    self.priority = priority
    self.callRank = callRank
    self.state = state
    self.issuedAt = issuedAt
    self.calledAt = calledAt
    self.servingStartedAt = servingStartedAt
    self.completedAt = completedAt
    self.counterID = counterID
    self.recallCount = recallCount
    self.trackingCode = trackingCode
    self.dueAt = dueAt
  }
}
