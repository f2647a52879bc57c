/// A branch's live state during the simulation: who waits for which service, which counter serves whom, and the
/// tickets issued so far (for the arrival rates a refresh reports).
struct BranchFloor: Sendable {
  struct Issue: Sendable {
    let second: Double
    let serviceIndex: Int
    /// The citizen came because a policy sent them (not a walk-in).
    let sent: Bool
  }

  var closed = false
  /// Waiting citizens per catalogue service index, oldest ticket first from `heads[service]`.
  private var queues: [[(citizen: Int, ticketSecond: Double)]]
  private var heads: [Int]
  /// The citizen each desk is serving, and since when.
  private(set) var serving: [(citizen: Int, since: Double)?]
  private(set) var issues: [Issue] = []
  private(set) var waiting = 0

  init(services: Int, desks: Int) {
    self.queues = Array(repeating: [], count: services)
    self.heads = Array(repeating: 0, count: services)
    self.serving = Array(repeating: nil, count: desks)
  }

  mutating func issueTicket(to citizen: Int, serviceIndex: Int, atSecond second: Double, sent: Bool) {
    self.queues[serviceIndex].append((citizen, second))
    self.issues.append(Issue(second: second, serviceIndex: serviceIndex, sent: sent))
    self.waiting += 1
  }

  /// How many wait for `serviceIndex`.
  func waitingCount(for serviceIndex: Int) -> Int {
    self.queues[serviceIndex].count - self.heads[serviceIndex]
  }

  /// Removes and returns the oldest waiting ticket among `serviceIndices` (ticket time, then citizen id).
  mutating func callOldest(among serviceIndices: [Int]) -> Int? {
    var best: (service: Int, citizen: Int, second: Double)?
    for service in serviceIndices where self.heads[service] < self.queues[service].count {
      let head = self.queues[service][self.heads[service]]
      if best == nil || (head.ticketSecond, head.citizen) < (best!.second, best!.citizen) {
        best = (service, head.citizen, head.ticketSecond)
      }
    }
    guard let best else { return nil }
    self.heads[best.service] += 1
    self.waiting -= 1
    return best.citizen
  }

  mutating func startServing(_ citizen: Int, atDesk desk: Int, atSecond second: Double) {
    self.serving[desk] = (citizen, second)
  }

  mutating func finishServing(atDesk desk: Int) {
    self.serving[desk] = nil
  }

  /// Closes the branch and hands back everyone waiting, in ticket order per service.
  mutating func closeAndEmpty() -> [Int] {
    self.closed = true
    var turnedOut: [Int] = []
    for service in self.queues.indices {
      turnedOut += self.queues[service][self.heads[service]...].map(\.citizen)
      self.queues[service] = []
      self.heads[service] = 0
    }
    self.waiting = 0
    return turnedOut
  }
}
