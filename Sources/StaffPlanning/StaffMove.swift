public import MotCuaDomain

/// One person moved from the branch they are at to another.
public struct StaffMove: Hashable, Sendable {
  public let staff: StaffID
  public let from: BranchID
  public let to: BranchID

  public init(staff: StaffID, from: BranchID, to: BranchID) {
    self.staff = staff
    self.from = from
    self.to = to
  }
}
