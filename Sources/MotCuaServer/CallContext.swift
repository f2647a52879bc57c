/// What a handler knows of a call besides its message, whatever transport carried it.
public struct CallContext: Sendable {
  /// The `authorization` metadata value, if any.
  public var authorization: String?
  /// The caller's address, e.g. "ipv4:127.0.0.1:51234".
  public var peer: String
  /// When the caller stops waiting (`grpc-timeout`); a command not committed by then is not applied.
  public var deadline: ContinuousClock.Instant?

  public init(authorization: String?, peer: String, deadline: ContinuousClock.Instant? = nil) {
    self.authorization = authorization
    self.peer = peer
    self.deadline = deadline
  }

  /// The peer's host without the port, the key for per-address limits.
  var peerHost: String {
    let parts = self.peer.split(separator: ":")
    guard parts.count >= 3 else { return self.peer }
    return parts.dropFirst().dropLast().joined(separator: ":")
  }
}
