public import MotCuaDomain
public import Logging
import MotCuaStore
import QueueEngine

/// `motcua leases`: the numbers leased to kiosks on a day and those never issued — the only gaps numbering has.
public enum LeaseReport {
  public static func text(
    database: DatabaseLocation, branch: String, date: String?, clock: any WallClock = SystemClock(), logger: Logger
  ) async throws -> String {
    let opened = try await OpenedStore.open(database, logger: logger)
    defer { opened.close() }
    let store = opened.store
    guard let catalogue = try await store.loadCatalogue() else {
      throw DomainError.failedPrecondition("database \(database.description) has not been seeded; start the server once")
    }
    let branchID = try catalogue.requireBranch(BranchID(branch)).id
    let day = try date.map { text throws(DomainError) in
      guard let day = LocalDate(text) else { throw .invalidArgument("--date must be YYYY-MM-DD") }
      return day
    } ?? catalogue.civilTime.date(of: clock.now())
    var lines: [String] = []
    for (lease, unused) in try await store.leases(branch: branchID, day: day) {
      let prefix = catalogue.service(lease.serviceID)?.prefix ?? "?"
      func number(_ n: Int) -> String { TicketNumber.format(prefix: prefix, sequence: n) }
      let gaps = unused.isEmpty ? "none" : unused.map(number).joined(separator: " ")
      lines.append(
        "\(day) \(lease.serviceID) lease \(lease.id): \(number(lease.firstSequence))–\(number(lease.lastSequence)), unused: \(gaps)")
    }
    return lines.isEmpty ? "no leases at \(branchID) on \(day)" : lines.joined(separator: "\n")
  }
}
