import GRDB
@testable import MotCuaSQLite
import Testing

/// How SQLite runs the statements whose cost must not grow with the queue.
@Suite struct SQLiteQueryPlanTests {
  /// Choosing the next ticket reads an index in calling order and stops at the first match: no statement sorts
  /// the waiting tickets or reads their rows (the indexes cover the statements). Negative controls: the statement
  /// this replaced (every waiting ticket of the counter's services ranked by a CASE on the due time) sorts (the
  /// next test); the due index without `state` is not covering (seen with EXPLAIN QUERY PLAN by hand).
  @Test(arguments: [
    ("not due", SQLiteStore.NextWaitingSQL.notDue, "tickets_waiting"),
    ("due", SQLiteStore.NextWaitingSQL.due, "tickets_due_appointments"),
  ])
  func choosingTheNextTicketSortsNothing(name: String, sql: String, index: String) throws {
    let plan = try Self.plan(of: sql)
    #expect(plan.contains { $0.contains("USING COVERING INDEX \(index)") }, "\(name): \(plan)")
    #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(name): \(plan)")
  }

  /// The check above can fail: the statement `nextWaiting` ran before sorted the queue.
  @Test func theCheckCatchesASortedQueue() throws {
    let sorted = """
      SELECT id FROM (
        SELECT id, issued_at, CASE WHEN due_at IS NOT NULL AND due_at <= ? THEN ? ELSE call_rank END AS effective_rank
        FROM tickets WHERE branch_id = ? AND day = ? AND state = 'WAITING'
          AND service_id IN (SELECT value FROM json_each(?)))
      WHERE effective_rank >= ? ORDER BY effective_rank, issued_at, id LIMIT 1
      """
    #expect(try Self.plan(of: sorted).contains { $0.contains("TEMP B-TREE") })
  }

  /// The `detail` lines of `EXPLAIN QUERY PLAN` for `sql` on the current schema.
  static func plan(of sql: String) throws -> [String] {
    let queue = try DatabaseQueue()
    try SQLiteMigrations.migrator.migrate(queue)
    return try queue.read { db in
      let parameters = sql.filter { $0 == "?" }.count
      return try Row.fetchAll(
        db, sql: "EXPLAIN QUERY PLAN " + sql,
        arguments: StatementArguments(Array(repeating: DatabaseValue.null, count: parameters))
      ).map { $0["detail"] as String }
    }
  }
}
