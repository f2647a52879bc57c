internal import NIOCore
internal import NIOHPACK

/// The gRPC protocol of one server stream, without I/O: fed what arrives (request headers, DATA,
/// end of stream, reset) and what the method does (response, messages, error), it answers with the
/// action the stream handler performs.
///
/// A call carries exactly one request message (unary and server-streaming methods alike); the
/// method starts once the client has half-closed.
struct GRPCServerStreamStateMachine {
  /// The limits the machine enforces.
  struct Limits: Sendable {
    var maxRequestMessageBytes: Int
    var maxResponseMessageBytes: Int
  }

  /// What the stream handler does next.
  enum Action {
    /// Nothing to do.
    case none
    /// Arm a timer that calls ``deadlinePassed()`` at the instant.
    case armDeadline(ContinuousClock.Instant)
    /// Run the method with the request message.
    case startMethod(GRPCCall, kind: GRPCMethodKind, request: [UInt8])
    /// Write these frames (in order), then perform the flags.
    case write(Response)
    /// The method must be cancelled; nothing can be written any more.
    case cancelMethod
    /// The stream can no longer be written: the method's message is dropped (its writer throws).
    case drop
  }

  /// Frames to write and what follows them.
  struct Response {
    /// Response headers, when not yet sent.
    var headers: HPACKHeaders?
    /// One response message, length prefix included, written as it is (it may be shared with other streams).
    var message: GRPCEncodedMessage?
    /// Trailers (or a trailers-only response when `headers` was never sent): ends the stream.
    var trailers: HPACKHeaders?
    /// Cancel the running method after writing.
    var cancelMethod = false
    /// Send RST_STREAM(NO_ERROR) after the trailers: the client has not finished sending.
    var resetStream = false
  }

  private enum State {
    /// No request headers yet.
    case idle
    /// Headers accepted, reading the request message.
    case receiving(call: GRPCCall, kind: GRPCMethodKind, reader: GRPCMessageReader, request: [UInt8]?)
    /// The method runs.
    case running(kind: GRPCMethodKind, headersSent: Bool)
    /// The status was sent, or the stream is gone.
    case closed
  }

  let limits: Limits
  private var state: State = .idle
  /// Whether the client has ended its side of the stream.
  private(set) var clientHalfClosed = false

  init(limits: Limits) {
    self.limits = limits
  }

  /// Whether the status has been sent or the stream is gone.
  var isClosed: Bool {
    if case .closed = self.state { return true }
    return false
  }

  // MARK: - Inbound

  /// The request headers arrived.
  ///
  /// - Parameters:
  ///   - route: the kind of the method at a path, or `nil` when no method is served there.
  mutating func receiveHeaders(
    _ headers: HPACKHeaders,
    endStream: Bool,
    peer: String,
    now: ContinuousClock.Instant,
    route: (String) -> GRPCMethodKind?
  ) -> Action {
    guard case .idle = self.state else {
      // Request trailers: only their end of stream matters.
      return endStream ? self.receiveEndOfStream() : .none
    }
    if endStream { self.clientHalfClosed = true }

    var method: Substring?
    var path: String?
    var contentType: Substring?
    var timeout: String?
    var encoding: String?
    var metadata: [(name: String, value: String)] = []
    for (name, value, _) in headers {
      if name.utf8.first == UInt8(ascii: ":") {
        switch name {
        case ":method": method = Substring(value)
        case ":path": path = value
        default: break
        }
        continue
      }
      switch name {
      case "content-type": contentType = Substring(value)
      case "grpc-timeout": timeout = value
      case "grpc-encoding": encoding = value
      case "te", "grpc-accept-encoding", "user-agent": break
      default: metadata.append((name: name, value: value))
      }
    }

    guard method == "POST" else {
      return self.reject(
        GRPCStatus(
          .unknown, "HTTP method \(method.map { Self.echoed(String($0)) } ?? "(none)") is not POST"),
        httpStatus: "405"
      )
    }
    guard let contentType, Self.isGRPCContentType(contentType) else {
      return self.reject(
        GRPCStatus(
          .unknown,
          "content-type \(contentType.map { Self.echoed(String($0)) } ?? "(none)") is not application/grpc"
        ),
        httpStatus: "415"
      )
    }
    guard let path, let kind = route(path) else {
      return self.reject(
        GRPCStatus(.unimplemented, "unknown method \(path.map(Self.echoed) ?? "(none)")"))
    }
    if let encoding, encoding != "identity" {
      return self.reject(
        GRPCStatus(
          .unimplemented, "grpc-encoding \(Self.echoed(encoding)) is not supported (identity only)"))
    }
    var deadline: ContinuousClock.Instant?
    if let timeout {
      guard let duration = GRPCTimeout.parse(timeout) else {
        return self.reject(
          GRPCStatus(.internalError, "malformed grpc-timeout \(Self.echoed(timeout))"))
      }
      guard duration > .zero else {
        return self.reject(GRPCStatus(.deadlineExceeded, "deadline exceeded"))
      }
      deadline = now.advanced(by: duration)
    }
    if endStream {
      return self.reject(GRPCStatus(.internalError, "no request"))
    }

    let call = GRPCCall(path: path, metadata: metadata, peer: peer, deadline: deadline)
    self.state = .receiving(
      call: call,
      kind: kind,
      reader: GRPCMessageReader(maxMessageBytes: self.limits.maxRequestMessageBytes),
      request: nil
    )
    return deadline.map { .armDeadline($0) } ?? .none
  }

  /// A DATA frame arrived.
  mutating func receiveData(_ data: ByteBuffer, endStream: Bool) -> Action {
    guard case .receiving(let call, let kind, var reader, var request) = self.state else {
      // Before headers the HTTP/2 layer refuses DATA; after the request, extra bytes are ignored.
      if endStream { self.clientHalfClosed = true }
      return .none
    }
    if endStream { self.clientHalfClosed = true }
    self.state = .closed  // while `reader` is held outside the state
    reader.append(data)
    while true {
      switch reader.next() {
      case .message(let message):
        guard request == nil else {
          return self.reject(GRPCStatus(.internalError, "too many requests"))
        }
        request = message
        continue
      case .needMoreData:
        break
      case .failure(let status):
        return self.reject(status)
      }
      break
    }
    self.state = .receiving(call: call, kind: kind, reader: reader, request: request)
    return endStream ? self.receiveEndOfStream() : .none
  }

  /// The client ended its side of the stream (DATA or trailers with END_STREAM).
  mutating func receiveEndOfStream() -> Action {
    self.clientHalfClosed = true
    guard case .receiving(let call, let kind, let reader, let request) = self.state else {
      return .none
    }
    if reader.hasPartialMessage {
      return self.reject(GRPCStatus(.internalError, "end of stream inside a message"))
    }
    guard let request else {
      return self.reject(GRPCStatus(.internalError, "no request"))
    }
    self.state = .running(kind: kind, headersSent: false)
    return .startMethod(call, kind: kind, request: request)
  }

  /// The deadline from `grpc-timeout` passed.
  mutating func deadlinePassed() -> Action {
    switch self.state {
    case .receiving, .running:
      return self.reject(GRPCStatus(.deadlineExceeded, "deadline exceeded"))
    case .idle, .closed:
      return .none
    }
  }

  /// The stream closed (RST_STREAM from the client, connection loss, or after our trailers).
  mutating func streamClosed() -> Action {
    switch self.state {
    case .running:
      self.state = .closed
      return .cancelMethod
    case .idle, .receiving, .closed:
      self.state = .closed
      return .none
    }
  }

  /// The server is shutting down: streaming calls end with UNAVAILABLE (their method cancelled);
  /// unary calls are left to finish.
  mutating func serverShuttingDown() -> Action {
    guard case .running(.serverStreaming, _) = self.state else { return .none }
    return self.reject(GRPCStatus(.unavailable, "server is shutting down"))
  }

  // MARK: - Outbound

  /// A unary method returned its response.
  mutating func methodReturned(_ response: [UInt8]) -> Action {
    guard case .running(_, let headersSent) = self.state else { return .none }
    guard response.count <= self.limits.maxResponseMessageBytes else {
      return self.reject(self.responseTooLarge(response.count))
    }
    self.state = .closed
    return .write(
      Response(
        headers: headersSent ? nil : Self.responseHeaders(),
        message: GRPCEncodedMessage(response),
        trailers: Self.trailers(.ok, ""),
        resetStream: !self.clientHalfClosed
      )
    )
  }

  /// A streaming method sends a message.
  mutating func methodSends(_ message: GRPCEncodedMessage) -> Action {
    guard case .running(let kind, let headersSent) = self.state else { return .drop }
    guard message.count <= self.limits.maxResponseMessageBytes else {
      return self.reject(self.responseTooLarge(message.count))
    }
    self.state = .running(kind: kind, headersSent: true)
    return .write(Response(headers: headersSent ? nil : Self.responseHeaders(), message: message))
  }

  /// The method finished: OK for a streaming method that returned, else the status of its error.
  mutating func methodFinished(_ status: GRPCStatus) -> Action {
    guard case .running = self.state else { return .none }
    return self.reject(status, cancelMethod: false)
  }

  // MARK: - Helpers

  /// The most bytes of a client's header value echoed in a `grpc-message`.
  static let maxEchoedBytes = 128

  /// A client's header value as echoed in an error message: at most ``maxEchoedBytes`` UTF-8
  /// bytes; a longer value is cut at a character boundary and ends with `…` (within the limit).
  static func echoed(_ value: String) -> String {
    guard value.utf8.count > Self.maxEchoedBytes else { return value }
    let budget = Self.maxEchoedBytes - "…".utf8.count
    var end = value.startIndex
    var bytes = 0
    for index in value.indices {
      let next = value.index(after: index)
      let count = value.utf8.distance(from: index, to: next)
      guard bytes + count <= budget else { break }
      bytes += count
      end = next
    }
    return String(value[..<end]) + "…"
  }

  /// Whether `value` is `application/grpc` or `application/grpc+proto` (case-insensitively),
  /// optionally followed by `;` parameters. `application/grpc-web`, `application/grpcfoo` and
  /// other subtypes are not gRPC over HTTP/2.
  static func isGRPCContentType(_ value: Substring) -> Bool {
    if value == "application/grpc" || value == "application/grpc+proto" { return true }  // the usual values, quickly
    let mediaType = value.prefix(while: { $0 != ";" })
      .trimmingSuffix(while: { $0 == " " || $0 == "\t" })
      .lowercased()
    return mediaType == "application/grpc" || mediaType == "application/grpc+proto"
  }

  private func responseTooLarge(_ count: Int) -> GRPCStatus {
    GRPCStatus(
      .resourceExhausted,
      "response message of \(count) bytes is larger than the limit of \(self.limits.maxResponseMessageBytes) bytes"
    )
  }

  /// Ends the stream with `status`: trailers when response headers went out, else trailers-only.
  private mutating func reject(
    _ status: GRPCStatus,
    httpStatus: String = "200",
    cancelMethod: Bool = true
  ) -> Action {
    let headersSent: Bool
    let running: Bool
    switch self.state {
    case .running(_, let sent):
      headersSent = sent
      running = true
    case .idle, .receiving:
      headersSent = false
      running = false
    case .closed:
      // Only reached from receiveData's own rejections, where the state is parked as closed.
      headersSent = false
      running = false
    }
    self.state = .closed
    let trailers =
      headersSent
      ? Self.trailers(status.code, status.message)
      : Self.trailersOnly(status.code, status.message, httpStatus: httpStatus)
    return .write(
      Response(
        trailers: trailers,
        cancelMethod: running && cancelMethod,
        resetStream: !self.clientHalfClosed
      )
    )
  }

  /// `:status 200`, `content-type: application/grpc`, `grpc-accept-encoding: identity`.
  static func responseHeaders() -> HPACKHeaders {
    Self.okResponseHeaders
  }

  /// The response headers, built once: every call shares them.
  private static let okResponseHeaders = HPACKHeaders([
    (":status", "200"), ("content-type", "application/grpc"), ("grpc-accept-encoding", "identity"),
  ])

  /// `grpc-status: 0`, built once.
  private static let okTrailers = HPACKHeaders([("grpc-status", "0")])

  /// `grpc-status` and, when the message is not empty, the percent-encoded `grpc-message`.
  static func trailers(_ code: GRPCStatusCode, _ message: String) -> HPACKHeaders {
    if code == .ok && message.isEmpty { return Self.okTrailers }
    var headers = HPACKHeaders()
    headers.reserveCapacity(2)
    Self.appendStatus(code, message, to: &headers)
    return headers
  }

  /// One HEADERS frame holding the response headers and the status.
  static func trailersOnly(
    _ code: GRPCStatusCode,
    _ message: String,
    httpStatus: String = "200"
  ) -> HPACKHeaders {
    var headers = HPACKHeaders([
      (":status", httpStatus), ("content-type", "application/grpc"),
      ("grpc-accept-encoding", "identity"),
    ])
    Self.appendStatus(code, message, to: &headers)
    return headers
  }

  private static func appendStatus(
    _ code: GRPCStatusCode,
    _ message: String,
    to headers: inout HPACKHeaders
  ) {
    headers.add(name: "grpc-status", value: String(code.rawValue))
    if !message.isEmpty {
      headers.add(name: "grpc-message", value: GRPCStatus.percentEncoded(message))
    }
  }
}

extension Substring {
  fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
    var end = self.endIndex
    while end > self.startIndex, predicate(self[self.index(before: end)]) {
      end = self.index(before: end)
    }
    return self[..<end]
  }
}
