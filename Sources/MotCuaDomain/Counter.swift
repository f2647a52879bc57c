/// A service counter (quầy) at a branch, with the services it is set up for and its weekly roster.
public struct Counter: Hashable, Sendable, Identifiable {
  public let id: CounterID
  public let branchID: BranchID
  public let name: String
  public let serviceIDs: [ServiceID]
  public let roster: WeeklySchedule

  public init(id: CounterID, branchID: BranchID, name: String, serviceIDs: [ServiceID], roster: WeeklySchedule) {
    self.id = id
    self.branchID = branchID
    self.name = name
    self.serviceIDs = serviceIDs
    self.roster = roster
  }
}
