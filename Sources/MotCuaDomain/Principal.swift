/// Who is calling, as established from a bearer token.
public struct Principal: Hashable, Sendable {
  public enum Role: String, Sendable, Hashable, CaseIterable {
    case kiosk, counter, manager, portal
  }

  /// The token's id: the key of idempotency records and the actor in the history. Never the token itself.
  public let id: String
  public let role: Role
  /// The branch it acts for; nil for a city-wide manager.
  public let branchID: BranchID?
  /// The counter, for a counter token.
  public let counterID: CounterID?

  public init(id: String, role: Role, branchID: BranchID?, counterID: CounterID?) {
    self.id = id
    self.role = role
    self.branchID = branchID
    self.counterID = counterID
  }

  /// Whether it may act at `branch`.
  public func covers(_ branch: BranchID) -> Bool {
    self.branchID == nil ? self.role == .manager : self.branchID == branch
  }
}
