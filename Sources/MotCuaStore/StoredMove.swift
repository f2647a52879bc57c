package import MotCuaDomain

/// A staff move as stored in a plan's `moves` JSON column.
package struct StoredMove: Codable, Sendable {
  let staff: String
  let from: String
  let to: String
  let services: [String]
  let startsAt: Int64
  let endsAt: Int64

  package init(_ a: StaffAssignment) {
    self.staff = a.staffID.rawValue
    self.from = a.fromBranch.rawValue
    self.to = a.toBranch.rawValue
    self.services = a.services.map(\.rawValue)
    self.startsAt = a.startsAt.millisecondsSinceEpoch
    self.endsAt = a.endsAt.millisecondsSinceEpoch
  }

  package func assignment(plan: String) -> StaffAssignment {
    StaffAssignment(
      staffID: StaffID(self.staff), fromBranch: BranchID(self.from), toBranch: BranchID(self.to),
      services: self.services.map(ServiceID.init), startsAt: Instant(millisecondsSinceEpoch: self.startsAt),
      endsAt: Instant(millisecondsSinceEpoch: self.endsAt), planID: plan)
  }
}
