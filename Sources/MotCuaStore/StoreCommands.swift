public import MotCuaDomain
public import QueueEngine

/// Issue a ticket: check the idempotency key, take the next number, insert the ticket, record the event —
/// one transaction.
public struct IssueTicketCommand: Hashable, Sendable {
  public var principalID: String
  public var idempotencyKey: String
  /// What the request asked for; a retry with the same key must ask the same.
  public var fingerprint: String
  public var branchID: BranchID
  public var service: Service
  public var priority: Priority
  public var callRank: Int
  public var day: LocalDate
  public var at: Instant
  /// Chosen by the caller so that the store stays deterministic.
  public var ticketID: TicketID
  public var trackingCode: String
  /// Set when replaying a ticket issued offline from a lease: its number, id, code and issue time are kept.
  public var offline: OfflineIssue?
  /// The wait predicted at issue, kept to measure the predictor against what happened.
  public var predicted: WaitEstimate?

  public init(
    principalID: String, idempotencyKey: String, fingerprint: String, branchID: BranchID, service: Service,
    priority: Priority, callRank: Int, day: LocalDate, at: Instant, ticketID: TicketID, trackingCode: String,
    offline: OfflineIssue? = nil, predicted: WaitEstimate? = nil
  ) {
    self.principalID = principalID
    self.idempotencyKey = idempotencyKey
    self.fingerprint = fingerprint
    self.branchID = branchID
    self.service = service
    self.priority = priority
    self.callRank = callRank
    self.day = day
    self.at = at
    self.ticketID = ticketID
    self.trackingCode = trackingCode
    self.offline = offline
    self.predicted = predicted
  }
}

/// Reserve `count` numbers of a service for today, for a kiosk's offline use.
public struct LeaseNumbersCommand: Hashable, Sendable {
  public var principalID: String
  public var idempotencyKey: String
  public var branchID: BranchID
  public var serviceID: ServiceID
  public var count: Int
  public var day: LocalDate
  public var at: Instant
  public var expiresAt: Instant
  public var leaseID: String

  public init(
    principalID: String, idempotencyKey: String, branchID: BranchID, serviceID: ServiceID, count: Int,
    day: LocalDate, at: Instant, expiresAt: Instant, leaseID: String
  ) {
    self.principalID = principalID
    self.idempotencyKey = idempotencyKey
    self.branchID = branchID
    self.serviceID = serviceID
    self.count = count
    self.day = day
    self.at = at
    self.expiresAt = expiresAt
    self.leaseID = leaseID
  }
}

/// A counter calls the next waiting ticket of its services, on `day`.
public struct CallNextCommand: Hashable, Sendable {
  public var counterID: CounterID
  public var branchID: BranchID
  public var principalID: String
  /// Optional: a retry with the same key returns the ticket the first call took.
  public var idempotencyKey: String?
  public var day: LocalDate
  public var at: Instant
  /// The ranks of a due appointment and of a walk-in (see `PriorityPolicy`), and how many due appointments
  /// may be called in a row while a walk-in waits. nil: no appointment rules.
  public var appointments: (appointmentRank: Int, walkInRank: Int, maxConsecutive: Int)?

  public init(
    counterID: CounterID, branchID: BranchID, principalID: String, idempotencyKey: String?, day: LocalDate,
    at: Instant, appointments: (appointmentRank: Int, walkInRank: Int, maxConsecutive: Int)? = nil
  ) {
    self.counterID = counterID
    self.branchID = branchID
    self.principalID = principalID
    self.idempotencyKey = idempotencyKey
    self.day = day
    self.at = at
    self.appointments = appointments
  }

  public static func == (a: Self, b: Self) -> Bool {
    a.counterID == b.counterID && a.principalID == b.principalID && a.idempotencyKey == b.idempotencyKey
      && a.day == b.day && a.at == b.at
  }

  public func hash(into hasher: inout Hasher) { hasher.combine(self.counterID) }
}

/// A command on one ticket (recall, start, complete, no-show, transfer).
public struct UpdateTicketCommand: Hashable, Sendable {
  public var ticketID: TicketID
  public var command: TicketCommand
  public var principalID: String
  public var at: Instant

  public init(ticketID: TicketID, command: TicketCommand, principalID: String, at: Instant) {
    self.ticketID = ticketID
    self.command = command
    self.principalID = principalID
    self.at = at
  }
}

/// Open a counter for some services, or close it.
public struct SetCounterCommand: Hashable, Sendable {
  public var counterID: CounterID
  public var branchID: BranchID
  /// nil closes the counter.
  public var openFor: [ServiceID]?
  public var principalID: String
  public var at: Instant

  public init(counterID: CounterID, branchID: BranchID, openFor: [ServiceID]?, principalID: String, at: Instant) {
    self.counterID = counterID
    self.branchID = branchID
    self.openFor = openFor
    self.principalID = principalID
    self.at = at
  }
}

/// A citizen's score for a served ticket.
public struct FeedbackCommand: Hashable, Sendable {
  public var ticketID: TicketID
  public var score: Int
  public var comment: String
  public var at: Instant

  public init(ticketID: TicketID, score: Int, comment: String, at: Instant) {
    self.ticketID = ticketID
    self.score = score
    self.comment = comment
    self.at = at
  }
}

/// What a committed command changed: the ticket after it (if any) and the events it recorded, in order.
public struct CommandOutcome: Hashable, Sendable {
  public var ticket: Ticket?
  public var events: [BranchEvent]
  /// True when an idempotent retry returned an earlier result and nothing changed.
  public var replayed: Bool
  /// For an offline replay: the kiosk's issue time was ahead of the server's clock or off the lease's day.
  public var clockSkewSuspected: Bool

  public init(ticket: Ticket?, events: [BranchEvent], replayed: Bool, clockSkewSuspected: Bool = false) {
    self.ticket = ticket
    self.events = events
    self.replayed = replayed
    self.clockSkewSuspected = clockSkewSuspected
  }
}

/// A bearer token's stored form: only its hash.
public struct TokenRecord: Hashable, Sendable {
  public var principal: Principal
  /// Hex SHA-256 of the token.
  public var tokenHash: String
  public var label: String
  public var createdAt: Instant

  public init(principal: Principal, tokenHash: String, label: String, createdAt: Instant) {
    self.principal = principal
    self.tokenHash = tokenHash
    self.label = label
    self.createdAt = createdAt
  }
}
