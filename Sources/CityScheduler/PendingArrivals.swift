public import MotCuaDomain

/// The ledger of recommendations: citizens sent to a branch who have not arrived yet, and how many were sent to
/// each branch in the last hour.
///
/// A recommendation is pending from when it is made until the citizen arrives or `ETA + grace` passes (then
/// they are assumed to have gone elsewhere). It counts towards its branch's hourly inflow for an hour either way.
public struct PendingArrivals: Hashable, Sendable {
  /// One recommendation.
  public struct Entry: Hashable, Sendable {
    public let branch: BranchID
    public let recommendedAt: Instant
    public let expiresAt: Instant
    public var arrived: Bool
  }

  /// How long after the expected arrival a recommendation stays pending; 15 minutes by default.
  public let graceSeconds: Int64
  public private(set) var entries: [Entry] = []

  public init(graceSeconds: Int64 = 15 * 60) {
    self.graceSeconds = graceSeconds
  }

  /// Records that a citizen was sent to `branch` at `now`, expected after `travelMinutes`.
  public mutating func record(branch: BranchID, at now: Instant, travelMinutes: Double) {
    self.prune(now: now)
    let eta = now.adding(seconds: Int64((max(0, travelMinutes) * 60).rounded(.up)))
    self.entries.append(
      Entry(branch: branch, recommendedAt: now, expiresAt: eta.adding(seconds: self.graceSeconds), arrived: false))
  }

  /// Marks the pending recommendation to `branch` that expires first as arrived; false if none was pending.
  @discardableResult
  public mutating func markArrived(at branch: BranchID, now: Instant) -> Bool {
    let live = self.entries.indices.filter { self.isPending(self.entries[$0], branch: branch, now: now) }
    guard let first = live.min(by: { self.entries[$0].expiresAt < self.entries[$1].expiresAt }) else {
      return false
    }
    self.entries[first].arrived = true
    return true
  }

  /// Citizens sent to `branch` who have neither arrived nor expired at `now`.
  public func pending(at branch: BranchID, now: Instant) -> Int {
    self.entries.count(where: { self.isPending($0, branch: branch, now: now) })
  }

  /// Recommendations to `branch` in the hour up to `now`, arrived or not.
  public func recommendedInLastHour(to branch: BranchID, now: Instant) -> Int {
    let hourAgo = now.adding(seconds: -3600)
    return self.entries.count(where: {
      $0.branch == branch && $0.recommendedAt > hourAgo && $0.recommendedAt <= now
    })
  }

  /// Forgets entries that count for nothing at `now`: expired (or arrived) and older than an hour.
  public mutating func prune(now: Instant) {
    let hourAgo = now.adding(seconds: -3600)
    self.entries.removeAll { ($0.arrived || $0.expiresAt <= now) && $0.recommendedAt <= hourAgo }
  }

  private func isPending(_ entry: Entry, branch: BranchID, now: Instant) -> Bool {
    entry.branch == branch && !entry.arrived && entry.recommendedAt <= now && now < entry.expiresAt
  }
}
