import Foundation
import MotCuaDomain

/// A small generated event log: a branch with two counters (one off for lunch), walk-ins and a few priority
/// tickets over `days` days, served in call order with log-normal service times and some no-shows.
enum EventLogFixture {
  /// 2025-03-03 08:00 in Hanoi, Unix seconds.
  static let firstOpening: Int64 = 1_740_963_600

  static func lines(days: Int = 2, arrivalsPerDay: Int = 60, seed: UInt64 = 1) -> [String] {
    var rng = SystemRandomNumberGeneratorStandIn(seed: seed)
    var lines: [String] = []
    for day in 0..<days {
      let open = Double(self.firstOpening + Int64(day) * 86_400)
      var events: [(t: Double, order: Int, json: String)] = []
      events.append((open - 1800, 0, #"{"type":"roster","counter":"c1","services":["a","b"],"from":\#(Int(open)),"to":\#(Int(open) + 32400)}"#))
      events.append((open - 1800, 0, #"{"type":"roster","counter":"c2","services":["a"],"from":\#(Int(open)),"to":\#(Int(open) + 14400)}"#))
      events.append((open - 1800, 0, #"{"type":"roster","counter":"c2","services":["a"],"from":\#(Int(open) + 18000),"to":\#(Int(open) + 32400)}"#))
      events.append((open, 0, #"{"type":"counter_open","counter":"c1","services":["a","b"]}"#))
      events.append((open, 0, #"{"type":"counter_open","counter":"c2","services":["a"]}"#))
      // Tickets: (issue, service, priority)
      var tickets: [(id: String, t: Double, service: String, priority: Bool)] = []
      var t = open
      for n in 0..<arrivalsPerDay {
        t += -log(rng.uniform()) * 30_000 / Double(arrivalsPerDay)
        tickets.append((String(format: "D%d-%03d", day, n), t, rng.uniform() < 0.7 ? "a" : "b", rng.uniform() < 0.1))
      }
      // Serve in call order: priority first, then FIFO; c2 serves only "a" and is off 12:00-13:00.
      var free = ["c1": open, "c2": open]
      var waiting = tickets
      while !waiting.isEmpty {
        let (counter, at) = free.min { $0.value < $1.value || $0.value == $1.value && $0.key < $1.key }!
        var now = at
        if counter == "c2" && now >= open + 14400 && now < open + 18000 { now = open + 18000 }
        let eligible = waiting.enumerated().filter { counter == "c1" || $0.element.service == "a" }
        let present = eligible.filter { $0.element.t <= now }
        let pick = present.min { ($0.element.priority ? 0 : 1, $0.element.t) < ($1.element.priority ? 0 : 1, $1.element.t) }
          ?? eligible.min { $0.element.t < $1.element.t }
        guard let (index, ticket) = pick else { free[counter] = .infinity; continue }
        now = max(now, ticket.t)
        waiting.remove(at: index)
        let duration = rng.uniform() < 0.1 ? 90 : exp(log(ticket.service == "a" ? 300.0 : 600.0) + 0.5 * (rng.uniform() - 0.5) * 3)
        free[counter] = now + duration
        let id = ticket.id
        events.append((ticket.t, 2, #"{"type":"issue","ticket":"\#(id)","service":"\#(ticket.service)","priority":"\#(ticket.priority ? "ELDERLY" : "NONE")","appointment":false,"extra":1}"#))
        events.append((now, 3, #"{"type":"call","ticket":"\#(id)","counter":"\#(counter)"}"#))
        events.append((now + duration, 1, duration == 90 ? #"{"type":"no_show","ticket":"\#(id)"}"# : #"{"type":"complete","ticket":"\#(id)"}"#))
      }
      events.append((open + 100, 5, #"{"type":"weather","sky":"rain"}"#))
      for e in events.sorted(by: { ($0.t, $0.order) < ($1.t, $1.order) }) {
        lines.append(#"{"t":\#(String(format: "%.1f", e.t)),"# + e.json.dropFirst())
      }
    }
    return lines
  }
}

/// SplitMix64 for the fixture (the module's generator is internal to the predictor's tests too).
struct SystemRandomNumberGeneratorStandIn {
  var state: UInt64
  init(seed: UInt64) { self.state = seed }
  mutating func uniform() -> Double {
    self.state &+= 0x9E37_79B9_7F4A_7C15
    var z = self.state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return (Double((z ^ (z >> 31)) >> 11) + 0.5) * 0x1.0p-53
  }
}
