import CityScheduler
import MotCuaDomain
import Synchronization

/// The city scheduler's memory: per service, the citizens sent to a branch who have not arrived yet
/// (`PendingArrivals`), and the chooser's random source. Shared by `RecommendBranches` and the kiosk's
/// suggestion, so that neither sends a crowd the other has already sent.
final class CityLedger: Sendable {
  private struct State {
    var pending: [ServiceID: PendingArrivals] = [:]
    var generator: SplitMix64
  }

  let chooser: BranchChooser
  private let state: Mutex<State>

  init(seed: UInt64, chooser: BranchChooser = BranchChooser()) {
    self.chooser = chooser
    self.state = Mutex(State(generator: SplitMix64(seed: seed)))
  }

  /// Ranks `candidates` for a citizen needing `service`; with `record`, the chosen branch counts as an arrival
  /// to come until the citizen arrives or the ETA plus grace passes.
  /// - Parameter delayMinutes: how long after `now` the citizen leaves (their ETA is that plus the travel).
  func rank(
    _ candidates: [Candidate], service: ServiceID, at now: Instant, record: Bool, delayMinutes: Double = 0
  ) -> [Recommendation] {
    self.state.withLock { state in
      var pending = state.pending[service] ?? PendingArrivals()
      defer { state.pending[service] = pending }
      let ranked = self.chooser.rank(candidates, pending: pending, now: now, using: &state.generator)
      if record, let chosen = ranked.first {
        pending.record(branch: chosen.branch, at: now, travelMinutes: max(0, delayMinutes) + chosen.travelMinutes)
      }
      return ranked
    }
  }

  /// Records that a suggested citizen may go to `branch` (kiosk suggestions are ranked first, recorded once
  /// shown).
  func record(_ recommendation: Recommendation, service: ServiceID, at now: Instant) {
    self.state.withLock { state in
      state.pending[service, default: PendingArrivals()].record(
        branch: recommendation.branch, at: now, travelMinutes: recommendation.travelMinutes)
    }
  }

  /// A ticket issued at a branch retires the earliest-expiring recommendation to it for that service: the
  /// citizen (or someone in their place) is now in the queue, which counts them.
  func observe(_ event: BranchEvent) {
    guard event.kind == .issued, let ticket = event.ticket else { return }
    self.state.withLock { state in
      guard state.pending[ticket.originalServiceID] != nil else { return }
      state.pending[ticket.originalServiceID]?.markArrived(at: ticket.branchID, now: event.at)
    }
  }
}
