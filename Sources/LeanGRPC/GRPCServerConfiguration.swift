/// How a ``LeanGRPCServer`` listens and which limits it enforces.
public struct GRPCServerConfiguration: Sendable {
  /// PEM files for TLS; the server negotiates ALPN `h2` and refuses connections that do not.
  public struct TLS: Sendable {
    /// Path of the PEM certificate chain, leaf first.
    public var certificateChainPath: String
    /// Path of the PEM private key.
    public var privateKeyPath: String

    /// Creates a TLS configuration from PEM files.
    public init(certificateChainPath: String, privateKeyPath: String) {
      self.certificateChainPath = certificateChainPath
      self.privateKeyPath = privateKeyPath
    }
  }

  /// The host to bind, e.g. `"127.0.0.1"` or `"::"`.
  public var host: String
  /// The port to bind; 0 picks a free one (see ``LeanGRPCServer/listeningAddress``).
  public var port: Int
  /// TLS with ALPN `h2`; `nil` serves h2c with prior knowledge.
  public var tls: TLS?
  /// SETTINGS_MAX_CONCURRENT_STREAMS: streams beyond it are refused (REFUSED_STREAM). Also the
  /// most methods running at once on a connection: a method keeps running (cancelled) after a
  /// reset or a deadline closed its stream, and a call beyond the limit is answered
  /// RESOURCE_EXHAUSTED.
  public var maxConcurrentStreams = 100
  /// The largest request message accepted; a larger one is answered RESOURCE_EXHAUSTED as soon as
  /// its length prefix arrives.
  public var maxRequestMessageBytes = 64 * 1024
  /// The largest response message sent; a larger one ends the call with RESOURCE_EXHAUSTED.
  public var maxResponseMessageBytes = 4 * 1024 * 1024
  /// SETTINGS_MAX_HEADER_LIST_SIZE.
  public var maxHeaderListSize = 16 * 1024
  /// A connection without open streams for this long is closed with GOAWAY; `nil` never.
  public var maxIdleTime: Duration? = .seconds(300)
  /// A TLS connection whose handshake (and ALPN) has not finished this long after it was
  /// accepted is closed.
  public var handshakeTimeout: Duration = .seconds(10)
  /// Turns a method's error into the status sent: `GRPCStatus` is sent as is; everything else goes
  /// through this (MotCua maps its domain errors here). Default: UNKNOWN "internal error".
  public var statusForError: @Sendable (any Error, _ path: String) -> GRPCStatus = { _, _ in
    GRPCStatus(.unknown, "internal error")
  }

  /// Creates a configuration with the default limits, serving h2c.
  public init(host: String, port: Int) {
    self.host = host
    self.port = port
  }
}
