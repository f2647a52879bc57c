import PostgresNIO

/// Appends a branch's next event in one round trip: takes the branch's next sequence (gapless, locked until the
/// transaction ends), reads the waiting counts of `services` (kept by a trigger; they include the transaction's
/// earlier changes) and inserts the row. Returns the sequence and the counts in the order of `services`. The
/// counts' JSON column is written as `JSON.encode` writes it (`{"a":1,"b":2}`, keys in byte order), so equal
/// counts store equal text on either store. Prepared once per connection.
struct EventAppend: PostgresPreparedStatement {
  static let sql = """
    WITH next AS (
      INSERT INTO branch_sequences (branch_id, last_sequence) VALUES ($1::text, 1)
      ON CONFLICT (branch_id) DO UPDATE SET last_sequence = branch_sequences.last_sequence + 1
      RETURNING last_sequence),
    counts AS (
      SELECT service.id, service.position, COALESCE((
        SELECT n FROM waiting_counts WHERE branch_id = $1::text AND day = $2::text AND service_id = service.id), 0) AS n
      FROM unnest($3::text[]) WITH ORDINALITY AS service(id, position)),
    inserted AS (
      INSERT INTO events (branch_id, sequence, kind, at, actor, ticket_id, ticket, counter, from_service_id,
        waiting_after)
      SELECT $1::text, next.last_sequence, $4::text, $5::bigint, $6::text, $7::text, $8::text, $9::text, $10::text,
        (SELECT COALESCE('{' || string_agg(to_json(id)::text || ':' || n, ',' ORDER BY id COLLATE "C") || '}', '{}')
         FROM counts)
      FROM next
      RETURNING sequence)
    SELECT inserted.sequence, ARRAY(SELECT n FROM counts ORDER BY position) FROM inserted
    """
  typealias Row = (sequence: Int64, waiting: [Int64])

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
    let (sequence, waiting) = try row.decode((Int64, [Int64]).self)
    return (sequence, waiting)
  }
}
