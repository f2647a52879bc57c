public import MotCuaDomain

/// The order in which waiting tickets are called: lower call rank first (honoured priority groups, then due
/// appointments, then walk-ins), then earlier issue time, then ticket id as a deterministic tie-break.
///
/// Stores that pick the next ticket in SQL must order by the same key: `call_rank, issued_at, id`.
public enum QueueOrder {
  public static func precedes(_ a: Ticket, _ b: Ticket) -> Bool {
    (a.callRank, a.issuedAt.millisecondsSinceEpoch, a.id.rawValue)
      < (b.callRank, b.issuedAt.millisecondsSinceEpoch, b.id.rawValue)
  }

  /// The ticket a counter serving `services` calls next, from `waiting` (any order).
  public static func next(among waiting: some Sequence<Ticket>, for services: Set<ServiceID>) -> Ticket? {
    waiting.filter { $0.state == .waiting && services.contains($0.serviceID) }.min(by: precedes)
  }
}
