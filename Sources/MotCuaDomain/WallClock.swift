/// The source of "now", injected everywhere below the server's edge so that tests are deterministic.
public protocol WallClock: Sendable {
  func now() -> Instant
}
