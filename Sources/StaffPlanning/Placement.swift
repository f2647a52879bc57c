/// Where everyone ends up under a set of moves, as branch pairs: the counts, the moves out of each branch and
/// the objective. Which person makes each move is settled at the end by matching.
struct Placement: Sendable {
  /// Staff at each branch.
  private(set) var counts: [Int]
  /// The moves, as indices into the model's pairs (a multiset).
  private(set) var moves: [Int]
  /// outs[b]: the destinations of the moves out of branch b.
  private(set) var outs: [[Int]]
  /// Σ_b costs[b][counts[b]].
  private(set) var objective: Double

  /// Nobody moved.
  init(_ model: RebalanceModel) {
    self.counts = model.initial
    self.moves = []
    self.outs = [[Int]](repeating: [], count: model.branchCount)
    self.objective = (0..<model.branchCount).reduce(0) { $0 + model.cost($1, model.initial[$1]) }
  }

  /// Whether every branch keeps its keep-one floor.
  func isValid(_ model: RebalanceModel) -> Bool {
    (0..<model.branchCount).allSatisfy { model.allows($0, self.counts[$0]) }
  }

  /// The change in objective from one more move along `pair`, or nil if a branch would leave its table or,
  /// when `keepingOne`, the origin would drop below its keep-one floor.
  func deltaAdding(_ pair: Int, _ model: RebalanceModel, keepingOne: Bool = true) -> Double? {
    let (from, to) = model.pairs[pair]
    let fromCount = self.counts[from] - 1
    let toCount = self.counts[to] + 1
    guard fromCount >= (keepingOne && model.keepsOne[from] ? 1 : 0), toCount < model.costs[to].count else {
      return nil
    }
    return model.cost(from, fromCount) - model.cost(from, fromCount + 1) + model.cost(to, toCount)
      - model.cost(to, toCount - 1)
  }

  /// Whether the people at the pair's origin can cover one more move along it.
  func canStaff(_ pair: Int, _ model: RebalanceModel) -> Bool {
    let (from, to) = model.pairs[pair]
    return model.match(home: from, destinations: self.outs[from] + [to]) != nil
  }

  /// One more move along `pair` (bounds and staffing already checked).
  mutating func add(_ pair: Int, _ model: RebalanceModel) {
    let (from, to) = model.pairs[pair]
    self.objective += model.cost(from, self.counts[from] - 1) - model.cost(from, self.counts[from])
    self.objective += model.cost(to, self.counts[to] + 1) - model.cost(to, self.counts[to])
    self.counts[from] -= 1
    self.counts[to] += 1
    self.moves.append(pair)
    self.outs[from].append(to)
  }

  /// Undoes the move at `position` in `moves`.
  mutating func remove(at position: Int, _ model: RebalanceModel) {
    let pair = self.moves.remove(at: position)
    let (from, to) = model.pairs[pair]
    self.objective += model.cost(from, self.counts[from] + 1) - model.cost(from, self.counts[from])
    self.objective += model.cost(to, self.counts[to] - 1) - model.cost(to, self.counts[to])
    self.counts[from] += 1
    self.counts[to] -= 1
    self.outs[from].remove(at: self.outs[from].firstIndex(of: to)!)
  }

  /// Recomputes the objective from the counts, dropping the rounding the incremental updates accumulate.
  mutating func resync(_ model: RebalanceModel) {
    self.objective = (0..<model.branchCount).reduce(0) { $0 + model.cost($1, self.counts[$1]) }
  }
}
