import PostgresNIO

/// Records what a request with an idempotency key produced (a ticket, or a lease or booking id); a concurrent
/// duplicate fails here (unique violation) and its transaction is re-run. Prepared once per connection.
struct KeyRecord: PostgresPreparedStatement {
  static let sql = """
    INSERT INTO idempotency (principal, key, fingerprint, ticket_id, lease_id, created_at)
    VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::bigint)
    """
  typealias Row = ()

  var principal: String
  var key: String
  var fingerprint: String
  var ticketID: String?
  var leaseID: String?
  var createdAt: Int64

  func makeBindings() throws -> PostgresBindings {
    var bindings = PostgresBindings(capacity: 6)
    bindings.append(self.principal)
    bindings.append(self.key)
    bindings.append(self.fingerprint)
    bindings.append(self.ticketID)
    bindings.append(self.leaseID)
    bindings.append(self.createdAt)
    return bindings
  }

  func decodeRow(_ row: PostgresRow) throws -> Row {}
}
