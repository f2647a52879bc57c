/// One recorded change at a branch: the history (who, what, when) and what display boards are sent.
public struct BranchEvent: Hashable, Sendable {
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    case issued = "ISSUED"
    case called = "CALLED"
    case recalled = "RECALLED"
    case servingStarted = "SERVING_STARTED"
    case completed = "COMPLETED"
    case noShow = "NO_SHOW"
    case transferred = "TRANSFERRED"
    case counterOpened = "COUNTER_OPENED"
    case counterClosed = "COUNTER_CLOSED"
  }

  public let branchID: BranchID
  /// Per branch, gapless, from 1.
  public let sequence: UInt64
  public let kind: Kind
  public let at: Instant
  /// The principal that caused it (a token id), for the audit trail.
  public let actor: String
  /// The ticket after the change, for ticket events.
  public let ticket: Ticket?
  /// The counter after the change, for counter events and calls.
  public let counter: CounterState?
  /// For a transfer, the service the ticket left.
  public let fromServiceID: ServiceID?
  /// Tickets waiting, after the change, in the services it touched (the ticket's day).
  public let waitingAfter: [ServiceID: Int]

  public init(
    branchID: BranchID, sequence: UInt64, kind: Kind, at: Instant, actor: String, ticket: Ticket?,
    counter: CounterState?, fromServiceID: ServiceID?, waitingAfter: [ServiceID: Int]
  ) {
    self.branchID = branchID
    self.sequence = sequence
    self.kind = kind
    self.at = at
    self.actor = actor
    self.ticket = ticket
    self.counter = counter
    self.fromServiceID = fromServiceID
    self.waitingAfter = waitingAfter
  }
}
