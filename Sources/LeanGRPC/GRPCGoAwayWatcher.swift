internal import NIOHTTP2

/// Tells the connection handler about each GOAWAY that `NIOHTTP2Handler` writes, including the ones it sends
/// on its own after a connection error (it reports those errors, but does not close the connection).
struct GRPCGoAwayWatcher: NIOHTTP2FrameDelegate {
  let connection: GRPCConnectionHandler

  func wroteFrame(_ frame: HTTP2Frame) {
    if case .goAway(_, let errorCode, _) = frame.payload {
      self.connection.goAwaySent(errorCode)
    }
  }
}
