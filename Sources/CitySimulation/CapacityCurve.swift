/// How many counters of a pool work in each minute of the simulated day, and when a new ticket behind a given
/// amount of work would be called. After the branch closes, every counter rostered that day stays (overtime) until
/// its queue is empty.
struct CapacityCurve: Hashable, Sendable {
  /// Counters working in each minute 0..<1440.
  let open: [Int]
  /// Counters working from the end of the day onwards.
  let overtime: Int
  /// Counter-seconds available from midnight to each minute boundary (1441 entries).
  let cumulative: [Double]

  init(open: [Int], overtime: Int) {
    precondition(open.count == 1440, "one count per minute of the day")
    self.open = open
    self.overtime = overtime
    self.cumulative = open.reduce(into: [0.0]) { $0.append($0.last! + Double($1) * 60) }
  }

  /// Counters working at `second` after midnight.
  func counters(atSecond second: Double) -> Int {
    let minute = Int((second / 60).rounded(.down))
    guard minute >= 0 else { return self.open[0] }
    return minute < 1440 ? self.open[minute] : self.overtime
  }

  /// Counter-seconds available from midnight to `second`.
  func available(until second: Double) -> Double {
    let clamped = max(0, second)
    let minute = Int((clamped / 60).rounded(.down))
    guard minute < 1440 else { return self.cumulative[1440] + Double(self.overtime) * (clamped - 86_400) }
    return self.cumulative[minute] + Double(self.open[minute]) * (clamped - Double(minute) * 60)
  }

  /// Seconds from `second` until a ticket behind `work` counter-seconds is called; infinite if never.
  func wait(behind work: Double, from second: Double) -> Double {
    let start = max(0, second)
    let target = self.available(until: start) + max(0, work)
    let firstMinute = Int((start / 60).rounded(.down))
    guard firstMinute < 1440, self.cumulative[1440] > target else {
      guard self.overtime > 0 else { return .infinity }
      let reached = max(86_400, start)
      return reached + (target - self.available(until: reached)) / Double(self.overtime) - second
    }
    // The first minute boundary after which the available counter-seconds exceed the target.
    var low = firstMinute + 1
    var high = 1440
    while low < high {
      let middle = (low + high) / 2
      if self.cumulative[middle] > target { high = middle } else { low = middle + 1 }
    }
    let minute = low - 1
    let at = Double(minute) * 60 + max(0, target - self.cumulative[minute]) / Double(self.open[minute])
    return max(start, at) - second
  }
}
