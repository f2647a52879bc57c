import PostgresNIO

/// Appends a branch's next event in one round trip: takes the branch's next sequence (gapless, locked until the
/// transaction ends), reads the waiting counts of `services` (kept by a trigger; they include the transaction's
/// earlier changes) and inserts the row. Returns the sequence and the counts' JSON (`{"service": n}`). Prepared
/// once per connection.
struct EventAppend: PostgresPreparedStatement {
  static let sql = """
    WITH next AS (
      INSERT INTO branch_sequences (branch_id, last_sequence) VALUES ($1::text, 1)
      ON CONFLICT (branch_id) DO UPDATE SET last_sequence = branch_sequences.last_sequence + 1
      RETURNING last_sequence),
    waiting AS (
      SELECT COALESCE(json_object_agg(service.id, COALESCE((
        SELECT n FROM waiting_counts WHERE branch_id = $1::text AND day = $2::text AND service_id = service.id), 0)),
        '{}')::text AS counts
      FROM unnest($3::text[]) AS service(id))
    INSERT INTO events (branch_id, sequence, kind, at, actor, ticket_id, ticket, counter, from_service_id,
      waiting_after)
    SELECT $1::text, next.last_sequence, $4::text, $5::bigint, $6::text, $7::text, $8::text, $9::text, $10::text,
      waiting.counts
    FROM next, waiting
    RETURNING sequence, waiting_after
    """
  typealias Row = (sequence: Int64, waitingAfter: String)

  var branch: String
  /// The day whose queues are counted ("" when `services` is empty).
  var day: String
  var services: [String]
  var kind: String
  var at: Int64
  var actor: String
  var ticketID: String?
  var ticketJSON: String?
  var counterJSON: String?
  var fromService: String?

  func makeBindings() throws -> PostgresBindings {
    var bindings = PostgresBindings(capacity: 10)
    bindings.append(self.branch)
    bindings.append(self.day)
    bindings.append(self.services)
    bindings.append(self.kind)
    bindings.append(self.at)
    bindings.append(self.actor)
    bindings.append(self.ticketID)
    bindings.append(self.ticketJSON)
    bindings.append(self.counterJSON)
    bindings.append(self.fromService)
    return bindings
  }

  func decodeRow(_ row: PostgresRow) throws -> Row {
    let (sequence, waitingAfter) = try row.decode((Int64, String).self)
    return (sequence, waitingAfter)
  }
}
