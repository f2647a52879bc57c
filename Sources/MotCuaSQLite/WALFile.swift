import Foundation
import Synchronization

/// The WAL file of an SQLite database, opened apart from SQLite's own handles so that `WALFlusher` can fsync it
/// (`fdatasync`: it flushes the file's pages, whichever descriptor wrote them).
///
/// SQLite keeps one WAL file while the database is open, truncated and rewritten in place; should it ever make a new
/// one (a new inode at the same path), the next sync opens that one and fsyncs the directory (its new entry).
final class WALFile: Sendable {
  /// Where the WAL lives: the database's path + `-wal`.
  let path: String
  private let handle = Mutex<(descriptor: Int32, inode: UInt64)?>(nil)

  /// A sync failed: what the system said.
  struct SyncFailed: Error, CustomStringConvertible {
    let step: String
    let path: String
    let code: Int32
    var description: String { "could not \(self.step) \(self.path): \(String(cString: strerror(self.code)))" }
  }

  init(databasePath: String) {
    self.path = databasePath + "-wal"
  }

  deinit {
    if let open = self.handle.withLock({ $0 }) { close(open.descriptor) }
  }

  /// Makes everything written to the WAL file so far durable.
  func sync() throws {
    try self.handle.withLock { handle in
      var status = stat()
      guard stat(self.path, &status) == 0 else { throw SyncFailed(step: "find", path: self.path, code: errno) }
      if handle?.inode != UInt64(status.st_ino) {
        if let open = handle { close(open.descriptor) }
        handle = nil
        let descriptor = open(self.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SyncFailed(step: "open", path: self.path, code: errno) }
        var opened = stat()
        guard fstat(descriptor, &opened) == 0 else {
          let code = errno
          close(descriptor)
          throw SyncFailed(step: "inspect", path: self.path, code: code)
        }
        handle = (descriptor, UInt64(opened.st_ino))  // the file opened, should the path have changed meanwhile
        try Self.syncDirectory(of: self.path)
      }
      try Self.flush(handle!.descriptor, step: "fsync", path: self.path)
    }
  }

  /// Flushes the file's data to the disk (on Darwin through the drive's cache too), retrying when interrupted.
  private static func flush(_ descriptor: Int32, step: String, path: String) throws {
    while true {
      #if canImport(Darwin)
        let result = fcntl(descriptor, F_FULLFSYNC)
      #else
        let result = fdatasync(descriptor)
      #endif
      if result == 0 { return }
      guard errno == EINTR else { throw SyncFailed(step: step, path: path, code: errno) }
    }
  }

  /// The inode of the file the last sync flushed (for tests).
  var syncedInode: UInt64? { self.handle.withLock { $0?.inode } }

  private static func syncDirectory(of path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { throw SyncFailed(step: "open the directory of", path: path, code: errno) }
    defer { close(descriptor) }
    try Self.flush(descriptor, step: "fsync the directory of", path: path)
  }
}
