import PostgresNIO

/// For an online IssueTicket, in one round trip: what an earlier request with the key stored (its fingerprint and
/// ticket), or — only for a new key — the day's next number of the service, taken (the number row stays locked
/// until the transaction ends, so numbers are gapless). Prepared once per connection.
struct KeyLookupWithNumber: PostgresPreparedStatement {
  static let sql = """
    WITH earlier AS (
      SELECT fingerprint, ticket_id FROM idempotency WHERE principal = $1::text AND key = $2::text),
    taken AS (
      INSERT INTO number_sequences (branch_id, service_id, day, last_sequence)
      SELECT $3::text, $4::text, $5::text, 1 WHERE NOT EXISTS (SELECT 1 FROM earlier)
      ON CONFLICT (branch_id, service_id, day)
      DO UPDATE SET last_sequence = number_sequences.last_sequence + EXCLUDED.last_sequence
      RETURNING last_sequence)
    SELECT (SELECT fingerprint FROM earlier), (SELECT ticket_id FROM earlier), (SELECT last_sequence FROM taken)
    """
  typealias Row = (fingerprint: String?, ticketID: String?, sequence: Int?)

  var principal: String
  var key: String
  var branch: String
  var service: String
  var day: String

  func makeBindings() throws -> PostgresBindings {
    var bindings = PostgresBindings(capacity: 5)
    bindings.append(self.principal)
    bindings.append(self.key)
    bindings.append(self.branch)
    bindings.append(self.service)
    bindings.append(self.day)
    return bindings
  }

  func decodeRow(_ row: PostgresRow) throws -> Row {
    let (fingerprint, ticketID, sequence) = try row.decode((String?, String?, Int?).self)
    return (fingerprint, ticketID, sequence)
  }
}
