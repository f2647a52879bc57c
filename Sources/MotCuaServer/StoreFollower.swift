import Logging
import MotCuaDomain
import MotCuaStore

/// Keeps this server's live views in step with what other servers commit to a shared store: the change feed
/// names a branch and its last committed event; the follower reads the events this server has not applied
/// and publishes them (queues, predictors, city ledger, display streams). After the feed restarts — a lost
/// database connection — and every `safetyInterval` it compares every branch with the store, so a missed
/// notification delays an update but never loses it.
struct StoreFollower: Sendable {
  let core: MotCuaCore
  let store: any SharedStore
  let logger: Logger
  /// How often every branch is compared with the store even without notifications.
  var safetyInterval: Duration = .seconds(15)
  /// Events read per query while catching up.
  static let pageSize = 1_000

  /// Runs until cancelled.
  func run() async {
    await withDiscardingTaskGroup { group in
      group.addTask {
        do {
          try await self.store.followChanges { change in await self.apply(change) }
        } catch is CancellationError {
        } catch {
          self.logger.error("the change feed stopped", metadata: ["error": "\(error)"])
        }
      }
      group.addTask {
        while !Task.isCancelled {
          do { try await Task.sleep(for: self.safetyInterval) } catch { return }
          await self.apply(.resynchronise)
        }
      }
    }
  }

  func apply(_ change: StoreChange) async {
    do {
      switch change {
      case .events(let branch, let sequence):
        try await self.catchUp(branch, to: sequence)
      case .staffing:
        try await self.reloadStaffing()
      case .resynchronise:
        let applied = self.core.hub.lastSequences()
        for (branch, sequence) in try await self.store.lastEventSequences()
        where sequence > applied[branch] ?? sequence {
          try await self.catchUp(branch, to: sequence)
        }
        try await self.reloadStaffing()
      }
    } catch {
      // The database is away: the feed restarts when it is back and reports `.resynchronise`.
      self.logger.warning("could not follow a change", metadata: ["change": "\(change)", "error": "\(error)"])
    }
  }

  /// Reads and publishes the branch's events after the last one applied here, up to `sequence`.
  private func catchUp(_ branch: BranchID, to sequence: UInt64) async throws {
    while let last = self.core.hub.lastSequences()[branch], last < sequence {
      let events = try await self.store.events(branch: branch, after: last, limit: Self.pageSize)
      guard !events.isEmpty else { return }
      _ = self.core.commit(CommandOutcome(ticket: nil, events: events, replayed: false))
    }
  }

  private func reloadStaffing() async throws {
    self.core.applyStaffing(try await MotCuaCore.staffAssignmentsKept(self.store, at: self.core.clock.now()))
  }
}
