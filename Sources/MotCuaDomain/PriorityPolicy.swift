/// The priority groups a branch honours, highest first, and the call rank they give a ticket.
///
/// Ranks order the queue: honoured groups take 0, 1, … in policy order; checked-in appointments that are due
/// come next; walk-ins (and groups the branch does not honour) last. Lower ranks are called first; within a rank,
/// tickets are called by issue time.
public struct PriorityPolicy: Hashable, Sendable {
  public let honoured: [Priority]

  /// - Precondition: no duplicates and no `.none`; the seed loader checks this for files.
  public init(honoured: [Priority]) {
    precondition(!honoured.contains(.none) && Set(honoured).count == honoured.count)
    self.honoured = honoured
  }

  /// The rank of a checked-in appointment that is due.
  public var appointmentRank: Int { self.honoured.count }

  /// The rank of a walk-in.
  public var walkInRank: Int { self.honoured.count + 1 }

  public func rank(for priority: Priority) -> Int {
    self.honoured.firstIndex(of: priority) ?? self.walkInRank
  }
}
