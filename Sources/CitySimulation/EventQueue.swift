/// The simulation's pending events, earliest first; events at the same second leave in the order they were
/// scheduled, so a run replays exactly.
struct EventQueue: Sendable {
  enum Event: Hashable, Sendable {
    case depart(citizen: Int)
    case arrive(citizen: Int, branch: Int)
    case complete(branch: Int, desk: Int)
    /// Some counter of the branch starts work (or overtime begins): call waiting tickets.
    case wake(branch: Int)
    case close(branch: Int)
    case refresh
    case sample
  }

  private struct Entry: Sendable {
    let second: Double
    let sequence: Int
    let event: Event

    func precedes(_ other: Entry) -> Bool { (self.second, self.sequence) < (other.second, other.sequence) }
  }

  private var heap: [Entry] = []
  private var scheduled = 0

  var isEmpty: Bool { self.heap.isEmpty }

  mutating func schedule(_ event: Event, atSecond second: Double) {
    self.heap.append(Entry(second: second, sequence: self.scheduled, event: event))
    self.scheduled += 1
    var child = self.heap.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard self.heap[child].precedes(self.heap[parent]) else { break }
      self.heap.swapAt(child, parent)
      child = parent
    }
  }

  mutating func next() -> (second: Double, event: Event)? {
    guard let first = self.heap.first else { return nil }
    let last = self.heap.removeLast()
    if !self.heap.isEmpty {
      self.heap[0] = last
      var parent = 0
      while true {
        let left = 2 * parent + 1
        let right = left + 1
        var smallest = parent
        if left < self.heap.count && self.heap[left].precedes(self.heap[smallest]) { smallest = left }
        if right < self.heap.count && self.heap[right].precedes(self.heap[smallest]) { smallest = right }
        guard smallest != parent else { break }
        self.heap.swapAt(parent, smallest)
        parent = smallest
      }
    }
    return (first.second, first.event)
  }
}
