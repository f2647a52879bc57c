/// The searches over move sets: plain greedy, greedy with exchange improvement, and exhaustive enumeration.
///
/// A move is a branch pair; the objective depends only on the resulting staff counts, so people enter only
/// through feasibility (matching each origin's moves to its people). Ties break on the lowest pair index.
struct MoveSearch: Sendable {
  let model: RebalanceModel

  /// Whether `candidate` beats `incumbent` by more than rounding.
  func beats(_ candidate: Placement, _ incumbent: Placement) -> Bool {
    candidate.objective < incumbent.objective - 1e-9 * max(1, abs(incumbent.objective))
  }

  private func improving(_ delta: Double, _ base: Placement) -> Bool {
    delta < -1e-9 * max(1, abs(base.objective))
  }

  // MARK: Plain greedy

  /// Plain greedy marginal allocation: the single move that most reduces the objective, while one does.
  func greedy() -> Placement {
    var placement = Placement(self.model)
    while placement.moves.count < self.model.maxMoves, let (pair, _) = self.bestSingle(placement) {
      placement.add(pair, self.model)
    }
    return placement
  }

  /// The most improving single move that can be staffed.
  private func bestSingle(_ base: Placement) -> (pair: Int, delta: Double)? {
    var candidates: [(pair: Int, delta: Double)] = []
    for pair in self.model.pairs.indices {
      if let delta = base.deltaAdding(pair, self.model), self.improving(delta, base) {
        candidates.append((pair, delta))
      }
    }
    candidates.sort { ($0.delta, $0.pair) < ($1.delta, $1.pair) }
    return candidates.first { base.canStaff($0.pair, self.model) }
  }

  // MARK: Improvement

  /// Greedy construction with chains and batches, then exchange improvement: drop one or two moves and refill,
  /// until nothing improves. Also started from each of `starts` (move lists, kept while staffable) and from
  /// `guide`'s local optimum, if given (a search on other costs over the same problem); the best is kept.
  func improved(guide: MoveSearch? = nil, starts: [[Int]] = []) -> Placement {
    var best = self.localOptimum(from: self.fill(Placement(self.model)))
    for start in starts where !start.isEmpty {
      var placement = Placement(self.model)
      for pair in start where placement.canStaff(pair, self.model) { placement.add(pair, self.model) }
      placement = self.localOptimum(from: self.fill(placement))
      if placement.isValid(self.model) && self.beats(placement, best) { best = placement }
    }
    let plain = self.greedy()
    if self.beats(plain, best) { best = self.localOptimum(from: plain) }
    if let guide {
      var guided = guide.improved()
      guided.resync(self.model)
      guided = self.localOptimum(from: guided)
      if self.beats(guided, best) { best = guided }
    }
    return best
  }

  /// Exchange improvement from `start` until no exchange of one or two moves improves.
  private func localOptimum(from start: Placement) -> Placement {
    var current = start
    for _ in 0..<1000 {
      if let better = self.exchange(current, dropping: 1) ?? self.exchange(current, dropping: 2) {
        current = better
      } else {
        break
      }
    }
    return current
  }

  /// The best placement reached by undoing `dropping` moves of `base` and refilling, if it beats `base`.
  private func exchange(_ base: Placement, dropping: Int) -> Placement? {
    var best = self.fill(base)
    var tried = Set<[Int]>()
    let positions = base.moves.indices
    for i in positions {
      for j in dropping == 2 ? Array(positions.filter { $0 > i }) : [i] {
        let dropped = dropping == 2 ? [base.moves[i], base.moves[j]].sorted() : [base.moves[i]]
        guard tried.insert(dropped).inserted else { continue }
        var candidate = base
        if dropping == 2 { candidate.remove(at: j, self.model) }
        candidate.remove(at: i, self.model)
        candidate = self.fill(candidate)
        if candidate.isValid(self.model) && self.beats(candidate, best) { best = candidate }
      }
    }
    return self.beats(best, base) ? best : nil
  }

  /// Adds the most improving single move, chain (a → b → c) or batch (several moves into one branch) while one
  /// improves and the move limit allows.
  func fill(_ start: Placement) -> Placement {
    var placement = start
    while placement.moves.count < self.model.maxMoves {
      let room = self.model.maxMoves - placement.moves.count
      var bestPairs: [Int] = []
      var bestDelta = 0.0
      if let single = self.bestSingle(placement) {
        bestPairs = [single.pair]
        bestDelta = single.delta
      }
      if room >= 2 {
        if let chain = self.bestChain(placement, below: bestDelta), chain.delta < bestDelta {
          bestPairs = chain.pairs
          bestDelta = chain.delta
        }
        if let batch = self.bestBatch(placement, room: room), batch.delta < bestDelta {
          bestPairs = batch.pairs
          bestDelta = batch.delta
        }
      }
      guard !bestPairs.isEmpty, self.improving(bestDelta, placement) else { break }
      for pair in bestPairs { placement.add(pair, self.model) }
    }
    return placement
  }

  /// The best chain h → b → c (b's count unchanged) whose change is below `bound`.
  private func bestChain(_ base: Placement, below bound: Double) -> (pairs: [Int], delta: Double)? {
    let model = self.model
    let n = model.branchCount
    // The cost of one person fewer at h, and one more at c.
    let fewer: [Double?] = (0..<n).map { h in
      let count = base.counts[h] - 1
      return count >= (model.keepsOne[h] ? 1 : 0) ? model.cost(h, count) - model.cost(h, count + 1) : nil
    }
    let more: [Double?] = (0..<n).map { c in
      let count = base.counts[c] + 1
      return count < model.costs[c].count ? model.cost(c, count) - model.cost(c, count - 1) : nil
    }
    var best: (pairs: [Int], delta: Double)?
    var bestDelta = bound
    for b in 0..<n {
      let origins = (0..<n).filter { model.pairIndex[$0][b] >= 0 && fewer[$0] != nil }
        .sorted { (fewer[$0]!, $0) < (fewer[$1]!, $1) }
      let destinations = (0..<n).filter { model.pairIndex[b][$0] >= 0 && more[$0] != nil }
        .sorted { (more[$0]!, $0) < (more[$1]!, $1) }
      guard !origins.isEmpty, !destinations.isEmpty else { continue }
      for h in origins {
        if fewer[h]! + more[destinations[0]]! >= bestDelta { break }
        guard model.match(home: h, destinations: base.outs[h] + [b]) != nil else { continue }
        for c in destinations where c != h {
          let delta = fewer[h]! + more[c]!
          if delta >= bestDelta { break }
          guard model.match(home: b, destinations: base.outs[b] + [c]) != nil else { continue }
          best = ([model.pairIndex[h][b], model.pairIndex[b][c]], delta)
          bestDelta = delta
          break
        }
      }
    }
    return best
  }

  /// The best batch of 2…room moves into one branch, each from the origin that then loses least.
  private func bestBatch(_ base: Placement, room: Int) -> (pairs: [Int], delta: Double)? {
    var best: (pairs: [Int], delta: Double)?
    for to in 0..<self.model.branchCount {
      var placement = base
      var pairs: [Int] = []
      for size in 1...room {
        var choice: (pair: Int, delta: Double)?
        for from in 0..<self.model.branchCount {
          let pair = self.model.pairIndex[from][to]
          guard pair >= 0, let delta = placement.deltaAdding(pair, self.model) else { continue }
          if let current = choice, current.delta <= delta { continue }
          if placement.canStaff(pair, self.model) { choice = (pair, delta) }
        }
        guard let (pair, _) = choice else { break }
        placement.add(pair, self.model)
        pairs.append(pair)
        let delta = placement.objective - base.objective
        if size >= 2 && delta < (best?.delta ?? 0) { best = (pairs, delta) }
      }
    }
    return best
  }

  // MARK: Exhaustive

  /// The number of move multisets of size ≤ maxMoves over the model's pairs (capped at `cap`).
  func moveSetCount(cap: Double) -> Double {
    let pairs = Double(self.model.pairs.count)
    var term = 1.0  // C(P + k − 1, k)
    var total = 1.0
    for k in stride(from: 1, through: self.model.maxMoves, by: 1) {
      term = term * (pairs + Double(k) - 1) / Double(k)
      total += term
      if total > cap { return total }
    }
    return total
  }

  /// The optimum by enumerating every move multiset, seeded with `incumbent`.
  func exhaustive(incumbent: Placement) -> Placement {
    var best = incumbent
    var placement = Placement(self.model)
    if placement.isValid(self.model) && self.beats(placement, best) { best = placement }
    func visit(from start: Int) {
      for pair in start..<self.model.pairs.count {
        guard placement.deltaAdding(pair, self.model, keepingOne: false) != nil,
          placement.canStaff(pair, self.model)
        else { continue }
        placement.add(pair, self.model)
        if placement.isValid(self.model) {
          var exact = placement
          exact.resync(self.model)
          if self.beats(exact, best) { best = exact }
        }
        if placement.moves.count < self.model.maxMoves { visit(from: pair) }
        placement.remove(at: placement.moves.count - 1, self.model)
      }
    }
    visit(from: 0)
    return best
  }
}
