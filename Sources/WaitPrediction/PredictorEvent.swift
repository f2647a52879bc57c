public import MotCuaDomain

/// A state change at a branch, as the store records it and as the replay log carries it.
public enum PredictorEvent: Sendable, Hashable {
  /// A planned working interval of a counter (`from..<to`) serving `services`; a counter may have several a day.
  case roster(counter: CounterID, services: [ServiceID], from: Instant, to: Instant, at: Instant)
  /// The counter's staff are away in `from..<to` (moved to another branch): its roster loses that time.
  case rosterAbsence(counter: CounterID, from: Instant, to: Instant, at: Instant)
  /// A counter opened and serves `services`.
  case counterOpen(counter: CounterID, services: [ServiceID], at: Instant)
  /// A counter closed (it calls no one until it opens again).
  case counterClose(counter: CounterID, at: Instant)
  /// A ticket was issued; an appointment is due from `slotStart` (or at once when it is nil).
  case issue(
    ticket: TicketID, service: ServiceID, priority: Priority, appointment: Bool, slotStart: Instant?, at: Instant)
  /// A ticket was called to a counter: its wait ends.
  case call(ticket: TicketID, counter: CounterID?, at: Instant)
  /// The citizen reached the counter and service began.
  case start(ticket: TicketID, at: Instant)
  /// Service ended.
  case complete(ticket: TicketID, at: Instant)
  /// The citizen did not come when called (or left unseen); the counter is free again.
  case noShow(ticket: TicketID, at: Instant)
  /// The ticket moves to another service's queue.
  case transfer(ticket: TicketID, service: ServiceID, at: Instant)

  /// When the event happened.
  public var instant: Instant {
    switch self {
    case .roster(_, _, _, _, let at), .rosterAbsence(_, _, _, let at), .counterOpen(_, _, let at), .counterClose(_, let at),
      .issue(_, _, _, _, _, let at), .call(_, _, let at), .start(_, let at), .complete(_, let at),
      .noShow(_, let at), .transfer(_, _, let at):
      at
    }
  }
}
