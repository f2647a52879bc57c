public import MotCuaDomain

/// One policy's day: every citizen's outcome and each branch's queue every 5 minutes.
public struct PolicyRun: Sendable {
  public let policy: Policy
  /// In citizen order (`Citizen.id`).
  public let outcomes: [CitizenOutcome]
  /// The branches in catalogue order, as `queueSamples` lists them.
  public let branches: [BranchID]
  /// Per branch, every 5 minutes from the first hour to the end hour: the typical minutes of work of the tickets
  /// waiting (not being served) over the counters working then — the wait the queue represents.
  public let queueSamples: [[Double]]
  /// The citizens a branch issued a ticket to, per branch in catalogue order (re-routed citizens count at each).
  public let ticketsIssued: [Int]

  public var metrics: PolicyMetrics { PolicyMetrics(run: self) }
}
