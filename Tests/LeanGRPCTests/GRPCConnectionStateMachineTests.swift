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
    #expect(machine.beginGracefulShutdown() == .sendFirstGoAwayAndPing)
    #expect(machine.isDraining)
    // A stream the client opened before it saw the first GOAWAY is still served.
    _ = machine.streamOpened(5)
    #expect(machine.secondGoAwayDue() == .sendGoAway(lastStreamID: 5))
    #expect(machine.secondGoAwayDue() == .none)
    #expect(machine.streamClosed(1) == .none)
    #expect(machine.streamClosed(3) == .none)
    #expect(machine.streamClosed(5) == .close)
  }

  @Test func streamsClosingBeforeThePingAckWaitForTheFinalGoAway() {
    var machine = GRPCConnectionStateMachine()
    _ = machine.streamOpened(1)
    #expect(machine.beginGracefulShutdown() == .sendFirstGoAwayAndPing)
    #expect(machine.streamClosed(1) == .none)
    #expect(machine.secondGoAwayDue() == .sendGoAwayAndClose(lastStreamID: 1))
  }

  @Test func idleTimerIsNotArmedWhileDraining() {
    var machine = GRPCConnectionStateMachine()
    _ = machine.streamOpened(1)
    _ = machine.beginGracefulShutdown()
    #expect(machine.idleTimerFired() == .none)
  }

  @Test func methodsBeyondTheLimitAreRefusedUntilOneEnds() {
    var machine = GRPCConnectionStateMachine(maxRunningMethods: 2)
    let first = machine.methodStarting()
    let second = machine.methodStarting()
    let third = machine.methodStarting()
    #expect(first && second && !third)
    machine.methodEnded()
    let afterOneEnded = machine.methodStarting()
    #expect(afterOneEnded)
    #expect(machine.runningMethods == 2)
  }

  @Test func gracefulShutdownOfAnIdleConnectionClosesAtOnce() {
    var machine = GRPCConnectionStateMachine()
    #expect(machine.beginGracefulShutdown() == .sendGoAwayAndClose(lastStreamID: .rootStream))
    #expect(machine.beginGracefulShutdown() == .none)
    #expect(machine.isDraining)
  }
}
