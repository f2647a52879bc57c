import MotCuaDomain

/// The deadline of the call a command serves, for the store to check just before it commits: a command whose
/// caller stopped waiting is rolled back rather than applied unseen. Set by the transport around each call.
public enum CommandDeadline {
  @TaskLocal public static var current: ContinuousClock.Instant?

  /// - Throws: `DomainError` `.deadlineExceeded` once the current call's deadline has passed.
  public static func check() throws {
    guard let deadline = Self.current, ContinuousClock.now >= deadline else { return }
    throw DomainError(.deadlineExceeded, "the deadline passed before the command was committed; nothing was applied")
  }
}
