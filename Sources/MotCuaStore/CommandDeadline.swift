import MotCuaDomain

/// The deadline of the call a command serves, for the store to check just before it commits: a command whose
/// caller stopped waiting is rolled back rather than applied unseen. Set by the transport around each call.
public enum CommandDeadline {
  @TaskLocal public static var current: ContinuousClock.Instant?

  /// - Throws: `DomainError` `.deadlineExceeded` once the current call's deadline has passed.
  public static func check() throws {
    try Self.check(Self.current)
  }

  /// Checks a deadline captured earlier, e.g. by a store that applies the command in another task.
  ///
  /// - Throws: `DomainError` `.deadlineExceeded` once `deadline` has passed; nothing when it is nil.
  public static func check(_ deadline: ContinuousClock.Instant?) throws {
    guard let deadline, ContinuousClock.now >= deadline else { return }
    throw DomainError(.deadlineExceeded, "the deadline passed before the command was committed; nothing was applied")
  }
}
