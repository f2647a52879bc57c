import StageCPU
import Testing

/// `StageCPU`: thread CPU time per stage, nested sections counted once.
@Suite struct StageCPUTests {
  /// Spins until this thread has used `milliseconds` more CPU.
  func spin(milliseconds: UInt64) {
    let end = StageCPU.threadNanoseconds() + milliseconds * 1_000_000
    while StageCPU.threadNanoseconds() < end {}
  }

  @Test func offItMeasuresNothing() {
    let accounts = StageCPU()
    accounts.measure(.store) { self.spin(milliseconds: 5) }
    #expect(accounts.nanoseconds(.store) == 0)
    #expect(accounts.summary == "decode=0 predict=0 suggest=0 store=0 live_views=0 encode=0")
  }

  @Test func aSectionsCPUCountsInItsStage() {
    let accounts = StageCPU()
    accounts.enable()
    accounts.measure(.store) { self.spin(milliseconds: 5) }
    #expect(accounts.nanoseconds(.store) >= 5_000_000 && accounts.nanoseconds(.store) < 50_000_000)
    #expect(accounts.nanoseconds(.decode) == 0)
    #expect(accounts.summary.hasPrefix("decode=0 predict=0 suggest=0 store=5"))
  }

  /// A section inside another counts only in its own stage: the two stages add up to the outer section's CPU.
  /// Negative control: counted twice, the sum would exceed the CPU spent by the inner section's 8 ms.
  @Test func aNestedSectionCountsOnce() {
    let accounts = StageCPU()
    accounts.enable()
    let before = StageCPU.threadNanoseconds()
    accounts.measure(.liveViews) {
      self.spin(milliseconds: 4)
      accounts.measure(.predict) { self.spin(milliseconds: 8) }
      // Until the enclosing section ends, its stage holds nothing: no total is ever taken down (read meanwhile,
      // a total taken down first would have wrapped round to 2⁶⁴ − 8 ms).
      #expect(accounts.nanoseconds(.liveViews) == 0)
    }
    let spent = StageCPU.threadNanoseconds() - before
    let (outer, inner) = (accounts.nanoseconds(.liveViews), accounts.nanoseconds(.predict))
    #expect(inner >= 8_000_000)
    #expect(outer >= 4_000_000 && outer < inner)
    #expect(outer + inner <= spent)
    #expect(outer + inner + 2_000_000 > spent)
  }
}
