import NIOHTTP2
import Testing

@testable import LeanGRPC

@Suite struct GRPCConnectionStateMachineTests {
  @Test func idleConnectionIsClosedWithGoAway() {
    var machine = GRPCConnectionStateMachine()
    #expect(machine.connectionActive() == .armIdleTimer)
    #expect(machine.streamOpened(1) == .cancelIdleTimer)
    #expect(machine.streamClosed(1) == .armIdleTimer)
    #expect(machine.idleTimerFired() == .sendGoAwayAndClose(lastStreamID: 1))
  }

  @Test func idleTimerIsIgnoredWhileStreamsAreOpen() {
    var machine = GRPCConnectionStateMachine()
    _ = machine.streamOpened(1)
    #expect(machine.idleTimerFired() == .none)
  }

  @Test func gracefulShutdownDrainsOpenStreamsThenCloses() {
    var machine = GRPCConnectionStateMachine()
    _ = machine.streamOpened(1)
    _ = machine.streamOpened(3)
    #expect(machine.beginGracefulShutdown() == .sendGoAway(lastStreamID: 3))
    #expect(machine.streamClosed(1) == .none)
    #expect(machine.streamClosed(3) == .close)
  }

  @Test func gracefulShutdownOfAnIdleConnectionClosesAtOnce() {
    var machine = GRPCConnectionStateMachine()
    #expect(machine.beginGracefulShutdown() == .sendGoAwayAndClose(lastStreamID: .rootStream))
    #expect(machine.beginGracefulShutdown() == .none)
  }
}
