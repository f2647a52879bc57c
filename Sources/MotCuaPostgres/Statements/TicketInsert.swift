import MotCuaDomain
import PostgresNIO

/// Inserts a new ticket row. Prepared once per connection.
struct TicketInsert: PostgresPreparedStatement {
  static let sql = """
    INSERT INTO tickets (id, branch_id, service_id, original_service_id, day, sequence, number, priority,
      call_rank, state, issued_at, called_at, serving_started_at, completed_at, counter_id, recall_count,
      tracking_code, lease_id, clock_skew_seconds, due_at, predicted_mean_seconds, predicted_p50_seconds,
      predicted_p90_seconds)
    VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::bigint, $7::text, $8::bigint, $9::bigint, $10::text,
      $11::bigint, $12::bigint, $13::bigint, $14::bigint, $15::text, $16::bigint, $17::text, $18::text, $19::bigint,
      $20::bigint, $21::bigint, $22::bigint, $23::bigint)
    """
  typealias Row = ()

  var ticket: Ticket
  var leaseID: String?
  var clockSkewSeconds: Int64?
  var predicted: WaitEstimate?

  func makeBindings() throws -> PostgresBindings {
    let t = self.ticket
    var bindings = PostgresBindings(capacity: 23)
    bindings.append(t.id.rawValue)
    bindings.append(t.branchID.rawValue)
    bindings.append(t.serviceID.rawValue)
    bindings.append(t.originalServiceID.rawValue)
    bindings.append(t.day.description)
    bindings.append(t.sequence)
    bindings.append(t.number)
    bindings.append(t.priority.rawValue)
    bindings.append(t.callRank)
    bindings.append(t.state.rawValue)
    bindings.append(t.issuedAt.millisecondsSinceEpoch)
    bindings.append(t.calledAt?.millisecondsSinceEpoch)
    bindings.append(t.servingStartedAt?.millisecondsSinceEpoch)
    bindings.append(t.completedAt?.millisecondsSinceEpoch)
    bindings.append(t.counterID?.rawValue)
    bindings.append(t.recallCount)
    bindings.append(t.trackingCode)
    bindings.append(self.leaseID)
    bindings.append(self.clockSkewSeconds)
    bindings.append(t.dueAt?.millisecondsSinceEpoch)
    bindings.append(self.predicted?.meanSeconds)
    bindings.append(self.predicted?.p50Seconds)
    bindings.append(self.predicted?.p90Seconds)
    return bindings
  }

  func decodeRow(_ row: PostgresRow) throws -> Row {}
}
