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
    let queue = try Self.database(migratedUpTo: "2026-11-27-staff")
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

  /// A database from before the clustered tables keeps every row of the tables rebuilt, and the waiting counts'
  /// triggers (dropped with the old tickets table) are there again. Negative control: without re-creating the
  /// triggers, the count after the call stays 2.
  @Test func anUpgradedDatabaseKeepsItsRowsAndTriggersInTheClusteredTables() throws {
    let queue = try Self.database(migratedUpTo: "2026-11-28-waiting-queue")
    try queue.write { db in
      for n in 1...2 {
        try db.execute(
          sql: """
            INSERT INTO tickets (id, branch_id, service_id, original_service_id, day, sequence, number, priority,
              call_rank, state, issued_at, called_at, recall_count, tracking_code, lease_id, clock_skew_seconds,
              due_at, predicted_mean_seconds, predicted_p50_seconds, predicted_p90_seconds)
            VALUES (?, 'b1', 's1', 's1', '2026-11-28', ?, ?, 1, 2, 'WAITING', 1000, NULL, 0, 'CODE', 'lease', -3,
              5000, 60, 50, 90)
            """,
          arguments: ["t\(n)", n, "A\(n)"])
      }
      try db.execute(
        sql: """
          INSERT INTO idempotency (principal, key, fingerprint, ticket_id, lease_id, created_at)
            VALUES ('kiosk', 'k1', 'f1', 't1', NULL, 1000);
          INSERT INTO number_sequences (branch_id, service_id, day, last_sequence) VALUES ('b1', 's1', '2026-11-28', 2);
          INSERT INTO branch_sequences (branch_id, last_sequence) VALUES ('b1', 2);
          INSERT INTO feedback (ticket_id, score, comment, at) VALUES ('t2', 5, 'fast', 2000);
          """)
    }
    let tables = ["tickets", "idempotency", "number_sequences", "branch_sequences", "feedback"]
    func contents() throws -> [String: [Row]] {
      try queue.read { db in
        try tables.reduce(into: [:]) { $0[$1] = try Row.fetchAll(db, sql: "SELECT * FROM \($1) ORDER BY 1, 2") }
      }
    }
    let before = try contents()
    try SQLiteMigrations.migrator.migrate(queue, upTo: "2026-11-28-clustered-tables")
    #expect(try contents() == before)
    try queue.read { db in
      for table in tables.dropLast() {
        let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [table])
        #expect(sql?.hasSuffix("WITHOUT ROWID") == true, "\(table)")
      }
      let schema = try Row.fetchAll(
        db, sql: "SELECT type, name FROM sqlite_master WHERE tbl_name = 'tickets' AND sql IS NOT NULL ORDER BY name"
      ).map { "\($0["type"] as String) \($0["name"] as String)" }
      #expect(
        schema == [
          "table tickets", "index tickets_active", "index tickets_waiting", "trigger waiting_counts_delete",
          "trigger waiting_counts_insert", "trigger waiting_counts_update",
        ])  // the unique constraints' automatic indexes have no SQL; tickets_report is gone
      let unique = try Row.fetchAll(db, sql: "PRAGMA index_list(tickets)").filter { $0["unique"] as Bool }.count
      #expect(unique == 3)  // the primary key and the two UNIQUE constraints
    }
    func waiting() throws -> Int? {
      try queue.read { try Int.fetchOne($0, sql: "SELECT n FROM waiting_counts WHERE branch_id = 'b1'") }
    }
    #expect(try waiting() == 2)
    try queue.write { try $0.execute(sql: "UPDATE tickets SET state = 'CALLED' WHERE id = 't1'") }
    #expect(try waiting() == 1)
  }

  /// A new database file migrated up to `migration`, foreign keys off (tickets only: no branches or services
  /// seeded).
  static func database(migratedUpTo migration: String) throws -> DatabaseQueue {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-mig-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var configuration = Configuration()
    configuration.foreignKeysEnabled = false
    let queue = try DatabaseQueue(
      path: directory.appendingPathComponent("old.sqlite").path, configuration: configuration)
    try SQLiteMigrations.migrator.migrate(queue, upTo: migration)
    return queue
  }
}
