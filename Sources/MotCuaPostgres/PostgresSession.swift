import Logging
import PostgresNIO

/// A connection inside one transaction, with the few query shapes the store uses.
struct PostgresSession {
  let connection: PostgresConnection
  let logger: Logger

  /// All rows of `query`.
  func rows(_ query: PostgresQuery) async throws -> [RowColumns] {
    try await self.connection.query(query, logger: self.logger).collect().map(RowColumns.init)
  }

  /// The first row of `query`, if any.
  func row(_ query: PostgresQuery) async throws -> RowColumns? {
    try await self.rows(query).first
  }

  /// The first column of the first row.
  func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? {
    guard let row = try await self.connection.query(query, logger: self.logger).collect().first else { return nil }
    return try row.makeRandomAccess()[0].decode(T.self)
  }

  /// The rows of a prepared statement (prepared on this connection at its first use: no parsing or planning
  /// after that).
  @discardableResult
  func rows<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
    let rows: AsyncThrowingMapSequence<PostgresRowSequence, Statement.Row> =
      try await self.connection.execute(statement, logger: self.logger)
    var collected: [Statement.Row] = []
    for try await row in rows { collected.append(row) }
    return collected
  }

  /// Runs a statement; returns how many rows it returned (use `RETURNING 1` to count the rows changed).
  @discardableResult
  func execute(_ query: PostgresQuery) async throws -> Int {
    try await self.connection.query(query, logger: self.logger).collect().count
  }
}

/// A row's columns by name.
struct RowColumns {
  let row: PostgresRandomAccessRow

  init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

  func callAsFunction<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
    try self.row[column].decode(T.self)
  }
}
