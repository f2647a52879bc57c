public import MotCuaDomain
public import MotCuaStore
import PostgresNIO
public import QueueEngine

/// Reads: tickets, counters, events, outcomes, tokens.
extension PostgresStore {
  public func ticket(_ id: TicketID) async throws -> Ticket? {
    try await self.command { s in try await Self.ticket(s, id) }
  }

  public func activeTickets(branch: BranchID?, since day: LocalDate) async throws -> [Ticket] {
    try await self.command { s in
      try await s.rows(
        """
        SELECT * FROM tickets WHERE state IN ('WAITING', 'CALLED', 'SERVING') AND day >= \(day.description)
        AND (\(branch?.rawValue)::TEXT IS NULL OR branch_id = \(branch?.rawValue))
        """
      ).map(Self.ticket)
    }
  }

  public func counterStates(branch: BranchID?) async throws -> [CounterState] {
    try await self.command { s in
      try await s.rows(
        """
        SELECT * FROM counter_states WHERE \(branch?.rawValue)::TEXT IS NULL OR branch_id = \(branch?.rawValue)
        """
      ).map(Self.counterState)
    }
  }

  public func lastEventSequences() async throws -> [BranchID: UInt64] {
    try await self.command { s in
      var result: [BranchID: UInt64] = [:]
      for row in try await s.rows("SELECT branch_id, last_sequence FROM branch_sequences") {
        result[BranchID(try row("branch_id"))] = UInt64(try row("last_sequence", as: Int64.self))
      }
      return result
    }
  }

  public func events(branch: BranchID, after sequence: UInt64, limit: Int) async throws -> [BranchEvent] {
    try await self.command { s in
      try await s.rows(
        """
        SELECT * FROM events WHERE branch_id = \(branch.rawValue) AND sequence > \(Int64(sequence))
        ORDER BY sequence LIMIT \(limit)
        """
      ).map(Self.event)
    }
  }

  public func ticketOutcomes(branch: BranchID, from: LocalDate, to: LocalDate) async throws -> [TicketOutcome] {
    try await self.command { s in
      try await s.rows(
        """
        SELECT t.service_id, t.state, t.issued_at, t.called_at, t.predicted_p50_seconds, t.predicted_p90_seconds,
          f.score FROM tickets t LEFT JOIN feedback f ON f.ticket_id = t.id
        WHERE t.branch_id = \(branch.rawValue) AND t.day BETWEEN \(from.description) AND \(to.description)
        """
      ).map { row in
        TicketOutcome(
          serviceID: ServiceID(try row("service_id")), state: TicketState(rawValue: try row("state")) ?? .waiting,
          issuedAt: Instant(millisecondsSinceEpoch: try row("issued_at")),
          calledAt: try row("called_at", as: Int64?.self).map(Instant.init(millisecondsSinceEpoch:)),
          predictedP50Seconds: try row("predicted_p50_seconds"), predictedP90Seconds: try row("predicted_p90_seconds"),
          feedbackScore: try row("score"))
      }
    }
  }

  // MARK: Tokens

  public func createToken(_ record: TokenRecord) async throws {
    try await self.command { s in
      try await s.execute(
        """
        INSERT INTO tokens (id, token_hash, role, branch_id, counter_id, label, created_at)
        VALUES (\(record.principal.id), \(record.tokenHash), \(record.principal.role.rawValue),
          \(record.principal.branchID?.rawValue), \(record.principal.counterID?.rawValue), \(record.label),
          \(record.createdAt.millisecondsSinceEpoch))
        """)
    }
  }

  public func principal(forTokenHash hash: String) async throws -> Principal? {
    try await self.command { s in
      guard let row = try await s.row("SELECT * FROM tokens WHERE token_hash = \(hash) AND revoked_at IS NULL"),
        let role = Principal.Role(rawValue: try row("role"))
      else { return nil }
      return Principal(
        id: try row("id"), role: role, branchID: try row("branch_id", as: String?.self).map(BranchID.init),
        counterID: try row("counter_id", as: String?.self).map(CounterID.init))
    }
  }
}
