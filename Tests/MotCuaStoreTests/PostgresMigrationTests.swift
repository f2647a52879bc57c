import Foundation
@testable import MotCuaPostgres
import PostgresNIO
import Testing

/// Upgrading an existing PostgreSQL database.
@Suite struct PostgresMigrationTests {
  /// A database from the first migration, with tickets waiting and finished in two queues, upgrades to counts of
  /// its waiting tickets, which the trigger then keeps through a call, transfers both ways, a delete, an insert
  /// and an update that changes nothing it counts; the report index is gone. Negative control: without the migration's backfill, the first expectation fails (no rows).
  @Test func anUpgradedDatabaseCountsTheTicketsAlreadyWaiting() async throws {
    let url = try await PostgresTestServer.freshDatabase()
    let side = try await PostgresTestServer.connect(url)
    func run(_ sql: String) async throws {
      _ = try await side.query(PostgresQuery(unsafeSQL: sql), logger: PostgresTestServer.logger)
    }
    func counts() async throws -> [String: Int] {
      var counts: [String: Int] = [:]
      for try await (service, n) in try await side.query(
        "SELECT service_id, n FROM waiting_counts WHERE branch_id = 'b1' AND day = '2026-12-02'",
        logger: PostgresTestServer.logger
      ).decode((String, Int).self) {
        counts[service] = n
      }
      return counts
    }
    let (first, firstSQL) = PostgresMigrations.all[0]
    for statement in PostgresMigrations.statements(firstSQL) { try await run(statement) }
    try await run("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)")
    try await run("INSERT INTO schema_migrations VALUES ('\(first)', now())")
    try await run(
      """
      INSERT INTO branches VALUES ('b1', 0, 'B', 'D', 'branch', 'A', 21.0, 105.8, 1, false, '{}');
      """)
    try await run("INSERT INTO services VALUES ('s1', 0, 'S1', 'S1', 'f', 'A', 600, 1), ('s2', 1, 'S2', 'S2', 'f', 'B', 600, 1)")
    for (n, service, state) in [(1, "s1", "WAITING"), (2, "s1", "WAITING"), (3, "s1", "DONE"), (4, "s2", "WAITING")] {
      try await run(
        """
        INSERT INTO tickets (id, branch_id, service_id, original_service_id, day, sequence, number, priority,
          call_rank, state, issued_at, recall_count, tracking_code)
        VALUES ('t\(n)', 'b1', '\(service)', '\(service)', '2026-12-02', \(n), 'A00\(n)', 0, 6, '\(state)', 1000, 0, 'C')
        """)
    }

    _ = try await PostgresTestServer.open(url)  // migrates
    #expect(try await counts() == ["s1": 2, "s2": 1])
    try await run("UPDATE tickets SET state = 'CALLED' WHERE id = 't1'")
    try await run("UPDATE tickets SET service_id = 's2' WHERE id = 't2'")
    try await run("DELETE FROM tickets WHERE id = 't4'")
    #expect(try await counts() == ["s1": 0, "s2": 1])
    // A transfer the other way (the trigger takes the rows in key order), an insert, an update that leaves a
    // waiting ticket waiting in its queue.
    try await run("UPDATE tickets SET service_id = 's1' WHERE id = 't2'")
    try await run(
      """
      INSERT INTO tickets (id, branch_id, service_id, original_service_id, day, sequence, number, priority,
        call_rank, state, issued_at, recall_count, tracking_code)
      VALUES ('t5', 'b1', 's2', 's2', '2026-12-02', 5, 'B005', 0, 6, 'WAITING', 1000, 0, 'C')
      """)
    try await run("UPDATE tickets SET state = 'WAITING', recall_count = 1 WHERE id = 't5'")
    #expect(try await counts() == ["s1": 1, "s2": 1])
    let reportIndex = try await side.query(
      "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'tickets_report'", logger: PostgresTestServer.logger
    ).collect().first?.decode(Int.self)
    #expect(reportIndex == 0)
    try await side.close()
  }
}
