import MotCuaDomain
import Synchronization

/// The staff assignments in force or to come, and what they change: a moved person's home counter stands
/// empty for the period, and the destination gains a counter's worth of work for the procedures they serve
/// there (a "guest" counter in the predictor's roster). Loaded at start; applied plans add to it.
final class StaffRoster: Sendable {
  private let catalogue: Catalogue
  private let assignments: Mutex<[StaffAssignment]>

  init(catalogue: Catalogue, assignments: [StaffAssignment]) {
    self.catalogue = catalogue
    self.assignments = Mutex(assignments)
  }

  /// Adds assignments just put in force; returns those it did not have.
  @discardableResult
  func add(_ new: [StaffAssignment]) -> [StaffAssignment] {
    self.assignments.withLock { all in
      var added: [StaffAssignment] = []
      for assignment in new where !all.contains(assignment) && !added.contains(assignment) {
        added.append(assignment)
      }
      all += added
      return added
    }
  }

  /// Assignments overlapping `from..<to`.
  func assignments(from: Instant, to: Instant) -> [StaffAssignment] {
    self.assignments.withLock { $0.filter { $0.startsAt < to && from < $0.endsAt } }
  }

  /// Where a member of staff works at `instant`.
  func branch(of member: StaffMember, at instant: Instant) -> BranchID {
    self.assignments.withLock { all in
      all.last { $0.staffID == member.id && $0.covers(instant) }?.toBranch ?? member.branchID
    }
  }

  /// Counters of the catalogue rostered at `instant` for `service` at `branch` whose staff are not away, plus
  /// the people assigned there then who serve it.
  func rosteredCount(at branch: BranchID, serving service: ServiceID, at instant: Instant) -> Int {
    let inForce = self.assignments.withLock { $0.filter { $0.covers(instant) } }
    let away = Set(
      inForce.filter { $0.fromBranch == branch }.compactMap { self.catalogue.staffMember($0.staffID)?.counterID })
    let home = self.catalogue.rosteredCounters(at: branch, serving: service, at: instant).count { !away.contains($0.id) }
    return home + inForce.count { $0.toBranch == branch && $0.services.contains(service) }
  }

  /// The counter id a person assigned to another branch works under in the predictor's roster there.
  static func guestCounter(_ staff: StaffID) -> CounterID { CounterID("guest-\(staff)") }
}
