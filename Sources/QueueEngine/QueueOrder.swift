public import MotCuaDomain

/// The order in which waiting tickets are called: lower call rank first (honoured priority groups, then due
/// appointments, then walk-ins), then earlier issue time, then ticket id as a deterministic tie-break.
///
/// Stores that pick the next ticket in SQL must order by the same key: `call_rank, issued_at, id`.
public enum QueueOrder {
  /// What a waiting ticket is ordered by: its rank (a store may give a due appointment another rank than its call
  /// rank), issue time in milliseconds, id.
  public typealias Key = (rank: Int, issuedAt: Int64, id: String)

  public static func key(of ticket: Ticket) -> Key {
    (ticket.callRank, ticket.issuedAt.millisecondsSinceEpoch, ticket.id.rawValue)
  }

  public static func precedes(_ a: Ticket, _ b: Ticket) -> Bool {
    self.precedes(self.key(of: a), self.key(of: b))
  }

  /// Ids compare by String order, which for NFC text (ASCII ids, an offline kiosk's hex) is SQLite's byte order.
  public static func precedes(_ a: Key, _ b: Key) -> Bool {
    (a.rank, a.issuedAt, a.id) < (b.rank, b.issuedAt, b.id)
  }

  /// The ticket a counter serving `services` calls next, from `waiting` (any order).
  public static func next(among waiting: some Sequence<Ticket>, for services: Set<ServiceID>) -> Ticket? {
    waiting.filter { $0.state == .waiting && services.contains($0.serviceID) }.min(by: precedes)
  }
}
