/// A caller admitted to a method that needs no token: one with a valid token, or an anonymous caller within its
/// address's rate limit. A handler taking a `PublicCaller` instead of a `CallContext` answers from memory and
/// synchronously: the bridge admits the caller first — on the event loop, with no Task, whenever that needs no
/// store lookup — and then calls it (see `LeanBridge.unary`).
struct PublicCaller: Sendable {
  /// Whether the handler runs on the event loop: it must then do nothing slow (no simulation, no lock held
  /// long elsewhere) and throw ``answerInTask`` instead; it is then called again, from a Task.
  let isInline: Bool

  /// Thrown by a handler called inline that cannot answer cheaply.
  static let answerInTask = AnswerInTask()

  /// See ``answerInTask``.
  struct AnswerInTask: Error {}
}
