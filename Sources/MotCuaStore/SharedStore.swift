public import MotCuaDomain

/// A store that several servers share (PostgreSQL): it tells each server what the others committed, so that
/// in-memory views (branch queues, predictors, rosters, city load) and display streams follow every commit.
public protocol SharedStore: MotCuaStore {
  /// Calls `onChange` for every change committed by any server (this one included), in commit order, until
  /// cancelled. Reconnects by itself after a lost connection and then reports `.resynchronise`; it also does so
  /// once the feed is first established, since commits before that were not reported.
  func followChanges(_ onChange: @escaping @Sendable (StoreChange) async -> Void) async throws
}

/// What a `SharedStore` reports.
public enum StoreChange: Sendable, Hashable {
  /// The branch's events up to `sequence` are committed.
  case events(BranchID, sequence: UInt64)
  /// Staff assignments changed (a plan was applied).
  case staffing
  /// The feed (re)started: anything may have changed meanwhile; re-read what the views hold.
  case resynchronise
}
