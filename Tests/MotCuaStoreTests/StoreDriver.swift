import Foundation
import Logging
import MotCuaDomain
import MotCuaPostgres
import MotCuaSQLite
import MotCuaSeeds
import MotCuaStore
import PostgresNIO
import Testing

/// Every store driver the contract suite runs against.
enum StoreDriver: String, CaseIterable, CustomTestStringConvertible, Sendable {
  case sqlite
  case postgres

  var testDescription: String { self.rawValue }

  /// A fresh, seeded store, and a way to open the same data again (a restart).
  func makeStore() async throws -> StoreUnderTest {
    switch self {
    case .sqlite:
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      let path = directory.appendingPathComponent("store.sqlite").path
      let store = try SQLiteStore(path: path)
      try await store.saveCatalogue(Seeds.catalogue)
      return StoreUnderTest(store: store, reopen: { try SQLiteStore(path: path) })
    case .postgres:
      let url = try await PostgresTestServer.freshDatabase()
      let store = try await PostgresTestServer.open(url)
      try await store.saveCatalogue(Seeds.catalogue)
      return StoreUnderTest(store: store, reopen: { try await PostgresTestServer.open(url) })
    }
  }
}

struct StoreUnderTest {
  let store: any MotCuaStore
  let reopen: @Sendable () async throws -> any MotCuaStore
}

/// The repository's seed data, loaded once.
enum Seeds {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("seeds").path
  static let catalogue: Catalogue = try! SeedLoader.load(directory: directory)
}
