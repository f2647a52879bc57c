import Foundation
import GRDB
import MotCuaDomain
@testable import MotCuaSQLite
import MotCuaStore
import Testing

/// Durability settings and WAL checkpoints off the writer: the policy's decisions, and a real store under
/// concurrent writes.
@Suite struct SQLiteCheckpointTests {
  /// Alone, a command's COMMIT fsyncs the WAL: the writer commits with `synchronous = FULL` (2). With group commit
  /// it commits with `NORMAL` (1) and `WALFlusher` fsyncs before answering (`SQLiteWALFlusherTests`). GRDB's pool
  /// sets NORMAL when it turns WAL on, after the store's own settings; without the store setting FULL back, the
  /// first case reads 1.
  @Test(arguments: [(false, 2), (true, 1)])
  func theWriterCommitsWithFullSynchronousOnlyWhenCommittingAlone(groupCommit: Bool, expected: Int) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let store = try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path, groupCommit: groupCommit)
    let writer = try await store.pool.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
    #expect(writer == expected)
    let journal = try await store.pool.write { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
    #expect(journal == "wal")
  }

  @Test func theFirstCheckpointOfAWALRunsInTheBackgroundAndTheWriterCopiesWhatCameInMeanwhile() {
    var policy = WALCheckpointPolicy(threshold: 100)
    #expect(policy.committed(walFrames: 99) == .none)
    #expect(policy.committed(walFrames: 100) == .startBackground)
    // While the background pass runs the writer does not wait, however far the WAL grows.
    #expect(policy.committed(walFrames: 150) == .none)
    #expect(policy.committed(walFrames: 5_000) == .none)
    policy.backgroundFinished()
    // The pass could not copy what was committed during it: the writer copies that, so the WAL can start over.
    #expect(policy.committed(walFrames: 5_010) == .checkpointHere)
    #expect(policy.committed(walFrames: 5_020) == .checkpointHere)  // e.g. a reader kept it from finishing
    // The WAL started over: the next time it fills, a background pass again.
    #expect(policy.committed(walFrames: 12) == .none)
    #expect(policy.committed(walFrames: 100) == .startBackground)
    policy.backgroundFinished()
    #expect(policy.committed(walFrames: 130) == .checkpointHere)
    // A transaction larger than the threshold: the WAL started over though it is past the threshold at once.
    #expect(policy.committed(walFrames: 120) == .startBackground)
  }

  /// 1,200 tickets issued 100 at a time through a store whose checkpoints start at 16 frames: background passes
  /// copy frames (the writer's fallback alone would also keep the WAL small), and the WAL stays a small multiple of one batch (~0.4 MB seen). Without checkpoints it holds every page
  /// written: 2.8 MB after 600 tickets, seen with the hook doing nothing.
  @Test func underConcurrentWritesTheWALIsCheckpointedInTheBackgroundAndStaysSmall() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("store.sqlite").path
    var f = StoreFixture()
    let commands = (0..<1_200).map { _ in f.issue() }
    var largestWAL = 0
    do {
      let store = try SQLiteStore(path: path, walCheckpointThreshold: 16)
      try await store.saveCatalogue(Seeds.catalogue)
      for round in stride(from: 0, to: commands.count, by: 100) {
        try await withThrowingTaskGroup(of: Void.self) { group in
          for command in commands[round..<round + 100] { group.addTask { _ = try await store.issueTicket(command) } }
          try await group.waitForAll()
        }
        let wal = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        largestWAL = max(largestWAL, wal)
      }
      let passes = store.checkpointer.passesSoFar
      #expect(passes.background >= 1, "\(passes) largest WAL \(largestWAL)")
    }
    #expect(largestWAL < 2_500_000, "the WAL grew to \(largestWAL) bytes")
    // Everything acknowledged is in the database after reopening.
    let reopened = try SQLiteStore(path: path)
    for command in commands { #expect(try await reopened.ticket(command.ticketID) != nil) }
  }
}
