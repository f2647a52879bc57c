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
    // "ipv4:127.0.0.1:51234" → "127.0.0.1", "ipv6:[::1]:51234" → "[::1]": between the first and the last colon.
    let utf8 = self.peer.utf8
    guard let first = utf8.firstIndex(of: UInt8(ascii: ":")), let last = utf8.lastIndex(of: UInt8(ascii: ":")),
      utf8.index(after: first) < last
    else { return self.peer }
    return String(self.peer[utf8.index(after: first)..<last])
  }
}
