import LeanGRPC
import MotCuaDomain
import Synchronization

/// An applied event as every display board of its branch receives it. The hub makes one per event for all the
/// branch's boards, so the board message — the same for all of them — is built and encoded once and every board's
/// stream writes the very same bytes.
final class WatchedEvent: Sendable {
  let event: BranchEvent
  /// How many open counters serve each service of `event.waitingAfter` right after the event was applied.
  let openCounters: [ServiceID: Int]
  private let encoded = Mutex<GRPCEncodedMessage?>(nil)

  init(_ event: BranchEvent, openCounters: [ServiceID: Int]) {
    self.event = event
    self.openCounters = openCounters
  }

  /// The event's board message, encoded by `encode` on the first call and shared by every later one (a board
  /// that was not live yet when the event was applied gets it later).
  func message(_ encode: (WatchedEvent) throws -> GRPCEncodedMessage) throws -> GRPCEncodedMessage {
    try self.encoded.withLock { (encoded: inout GRPCEncodedMessage?) throws -> GRPCEncodedMessage in
      if let encoded { return encoded }
      let message = try encode(self)
      encoded = message
      return message
    }
  }
}
