import Foundation
import MotCuaDomain
import MotCuaSQLite
import MotCuaSeeds
import MotCuaStore
import Testing

/// Every store driver the contract suite runs against. The PostgreSQL driver joins this list.
enum StoreDriver: String, CaseIterable, CustomTestStringConvertible, Sendable {
  case sqlite

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
    }
  }
}

struct StoreUnderTest {
  let store: any MotCuaStore
  let reopen: @Sendable () throws -> any MotCuaStore
}

/// The repository's seed data, loaded once.
enum Seeds {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("seeds").path
  static let catalogue: Catalogue = try! SeedLoader.load(directory: directory)
}

