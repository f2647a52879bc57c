import Foundation
import GRDB
@testable import MotCuaSQLite
import Testing

/// Upgrading an existing SQLite database.
@Suite struct SQLiteMigrationTests {
  /// A database from before the waiting counts, with tickets waiting and finished on two days, two branches and
  /// two services, upgrades to counts of its waiting tickets, which the triggers then keep. Negative control:
  /// without the migration's backfill, both expectations fail.
  @Test func anUpgradedDatabaseCountsTheTicketsAlreadyWaiting() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-mig-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var configuration = Configuration()
    configuration.foreignKeysEnabled = false  // tickets only: no branches or services seeded
    let queue = try DatabaseQueue(
      path: directory.appendingPathComponent("old.sqlite").path, configuration: configuration)
    try SQLiteMigrations.migrator.migrate(queue, upTo: "2026-11-27-staff")
    let rows: [(branch: String, service: String, day: String, state: String)] = [
      ("b1", "s1", "2026-11-27", "WAITING"), ("b1", "s1", "2026-11-27", "WAITING"),
      ("b1", "s1", "2026-11-27", "WAITING"), ("b1", "s1", "2026-11-27", "COMPLETED"),
      ("b1", "s1", "2026-11-27", "CALLED"), ("b1", "s2", "2026-11-27", "WAITING"),
      ("b2", "s1", "2026-11-27", "WAITING"), ("b1", "s1", "2026-11-26", "WAITING"),
      ("b2", "s2", "2026-11-27", "NO_SHOW"),
    ]
    try queue.write { db in
      for (n, row) in rows.enumerated() {
        try db.execute(
          sql: """
            INSERT INTO tickets (id, branch_id, service_id, original_service_id, day, sequence, number, priority,
              call_rank, state, issued_at, recall_count, tracking_code)
            VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, 0, 0, 'T')
            """,
          arguments: ["t\(n)", row.branch, row.service, row.service, row.day, n + 1, "A\(n + 1)", row.state])
      }
    }
    try SQLiteMigrations.migrator.migrate(queue)
    func counts() throws -> [String: Int] {
      try queue.read { db in
        let rows = try Row.fetchAll(db, sql: "SELECT branch_id, day, service_id, n FROM waiting_counts WHERE n != 0")
        return rows.reduce(into: [:]) { counts, row in
          counts["\(row["branch_id"] as String) \(row["day"] as String) \(row["service_id"] as String)"] = row["n"]
        }
      }
    }
    #expect(
      try counts() == ["b1 2026-11-27 s1": 3, "b1 2026-11-27 s2": 1, "b2 2026-11-27 s1": 1, "b1 2026-11-26 s1": 1])
    // The triggers take over from there: a call, a transfer to another service, a new waiting ticket.
    try queue.write { db in
      try db.execute(sql: "UPDATE tickets SET state = 'CALLED' WHERE id = 't0'")
      try db.execute(sql: "UPDATE tickets SET service_id = 's2' WHERE id = 't1'")
      try db.execute(sql: "DELETE FROM tickets WHERE id = 't6'")
    }
    #expect(try counts() == ["b1 2026-11-27 s1": 1, "b1 2026-11-27 s2": 2, "b1 2026-11-26 s1": 1])
  }
}
