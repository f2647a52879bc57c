internal import NIOCore

/// Sits between the socket (or TLS) and HTTP/2 and turns a connection's many flushes into few: while
/// the connection reads, flushes wait for the read to complete; otherwise (methods answering from
/// their Tasks) the first flush of an event-loop turn is deferred to the end of that turn, so every
/// answer completed in the same turn leaves in one write rather than one system call each.
final class GRPCFlushCoalescingHandler: ChannelDuplexHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundIn = ByteBuffer

  private var reading = false
  private var flushPending = false
  private var flushScheduled = false

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    self.reading = true
    context.fireChannelRead(data)
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    context.fireChannelReadComplete()
    self.reading = false
    if self.flushPending {
      self.flushPending = false
      context.flush()
    }
  }

  func flush(context: ChannelHandlerContext) {
    if self.reading {
      self.flushPending = true
      return
    }
    guard !self.flushScheduled else { return }
    self.flushScheduled = true
    let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
    let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
    context.eventLoop.execute {
      guard handler.value.flushScheduled else { return }
      handler.value.flushScheduled = false
      boundContext.value.flush()
    }
  }

  func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
    // What was written before the close (a GOAWAY, the last answers) leaves first.
    if self.flushPending || self.flushScheduled {
      self.flushPending = false
      self.flushScheduled = false
      context.flush()
    }
    context.close(mode: mode, promise: promise)
  }
}
