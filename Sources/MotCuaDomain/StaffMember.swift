/// A member of staff who receives dossiers at a counter: their home branch and desk, and the procedures they
/// may serve. Staff are employees, not citizens: their names are not personal data of the public.
public struct StaffMember: Hashable, Sendable, Identifiable {
  public let id: StaffID
  public let name: String
  /// The branch they work at unless assigned elsewhere.
  public let branchID: BranchID
  /// The counter they staff at home (its roster is their working time).
  public let counterID: CounterID
  public let skills: [ServiceID]

  public init(id: StaffID, name: String, branchID: BranchID, counterID: CounterID, skills: [ServiceID]) {
    self.id = id
    self.name = name
    self.branchID = branchID
    self.counterID = counterID
    self.skills = skills
  }
}
