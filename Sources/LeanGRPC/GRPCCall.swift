/// What a method knows of its call: its path, the caller's custom metadata, the peer and the deadline.
public struct GRPCCall: Sendable {
  /// The request path, e.g. `"/motcua.v1.KioskService/IssueTicket"`.
  public let path: String
  /// The custom metadata of the request, in order: lowercased names, without pseudo-headers and
  /// without the protocol's own headers (`te`, `content-type`, `grpc-timeout`, `grpc-encoding`,
  /// `grpc-accept-encoding`, `user-agent`).
  public let metadata: [(name: String, value: String)]
  /// The remote peer: `"ipv4:127.0.0.1:54321"`, `"ipv6:[::1]:54321"` or `"unix:/path"`.
  public let peer: String
  /// When the call must be answered by, from `grpc-timeout`; `nil` when the client set none.
  public let deadline: ContinuousClock.Instant?

  /// Creates a call description.
  public init(
    path: String,
    metadata: [(name: String, value: String)],
    peer: String,
    deadline: ContinuousClock.Instant?
  ) {
    self.path = path
    self.metadata = metadata
    self.peer = peer
    self.deadline = deadline
  }

  /// The first value of the metadata entry `name` (matched case-insensitively), or `nil`.
  public func metadata(_ name: String) -> String? {
    for entry in self.metadata where entry.name == name {
      return entry.value
    }
    let lowered = name.lowercased()
    guard lowered != name else { return nil }
    return self.metadata.first(where: { $0.name == lowered })?.value
  }
}
