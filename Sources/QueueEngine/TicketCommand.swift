public import MotCuaDomain

/// What a counter (or a manager acting for it) does to a ticket.
public enum TicketCommand: Hashable, Sendable {
  /// WAITING → CALLED at the counter.
  case call(counter: CounterID)
  /// Announce a CALLED ticket again.
  case recall(counter: CounterID)
  /// CALLED → SERVING.
  case startServing(counter: CounterID)
  /// CALLED or SERVING → DONE (counters often skip StartServing).
  case complete(counter: CounterID)
  /// CALLED → NO_SHOW.
  case markNoShow(counter: CounterID)
  /// WAITING, CALLED or SERVING → WAITING in another service's queue of the same branch, keeping the number
  /// and the original issue time (and so its place).
  case transfer(to: ServiceID, by: CounterID?)

  /// The counter acting, if any.
  public var actingCounter: CounterID? {
    switch self {
    case .call(let c), .recall(let c), .startServing(let c), .complete(let c), .markNoShow(let c): c
    case .transfer(_, let c): c
    }
  }

  /// The name used in messages and the history.
  public var name: String {
    switch self {
    case .call: "CallNext"
    case .recall: "Recall"
    case .startServing: "StartServing"
    case .complete: "Complete"
    case .markNoShow: "MarkNoShow"
    case .transfer: "Transfer"
    }
  }
}
