/// When to copy the write-ahead log back into the database file, and on which connection (pure: no I/O).
///
/// SQLite's own rule checkpoints on the writer, inside the commit that takes the WAL past 1,000 pages: that
/// writer copies every page and fsyncs the database file while the commands queued behind it wait (11% of the
/// writer's time in the IssueTicket profile). Here the first checkpoint of a WAL runs on a connection of its
/// own, beside the writer. The WAL can start over only once every frame in it is copied, which a background pass
/// racing new commits never quite achieves: so the writer's next commit past the threshold copies what came in
/// during that pass (a fraction of it), and the WAL starts over at the transaction after.
struct WALCheckpointPolicy: Sendable {
  /// What the writer does after a commit.
  enum Action: Equatable, Sendable {
    case none
    /// Start a checkpoint on the background connection.
    case startBackground
    /// Checkpoint here, on the writer, before answering this commit's callers.
    case checkpointHere
  }

  /// Frames in the WAL at which a checkpoint starts.
  let threshold: Int
  /// A background checkpoint is running.
  private(set) var backgroundRunning = false
  /// A background pass copied this WAL since it last started over.
  private var backgroundPassed = false
  /// The WAL's size after the last commit: a smaller one means it started over.
  private var lastFrames = 0

  init(threshold: Int) {
    precondition(threshold > 0, "a WAL checkpoint threshold is at least one frame")
    self.threshold = threshold
  }

  /// A transaction committed; the WAL now holds `walFrames` frames.
  mutating func committed(walFrames: Int) -> Action {
    if walFrames < self.lastFrames { self.backgroundPassed = false }  // the WAL started over
    self.lastFrames = walFrames
    guard walFrames >= self.threshold, !self.backgroundRunning else { return .none }
    if self.backgroundPassed { return .checkpointHere }
    self.backgroundRunning = true
    return .startBackground
  }

  /// The background checkpoint ended (copied what it could, or failed: the writer's fallback copies the rest).
  mutating func backgroundFinished() {
    self.backgroundRunning = false
    self.backgroundPassed = true
  }
}
