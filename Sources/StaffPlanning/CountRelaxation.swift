/// The rebalancing problem with who-may-go-where relaxed: choose each branch's final count so that the staff
/// gained (= the staff lost) is at most the move limit, exactly, by dynamic programming over branches.
///
/// Every plan's counts are feasible here (each gained person is one move), so the optimum is a lower bound on
/// the objective; when people can realise the counts by direct moves (`TransferFlow`), it is the optimum.
/// O(branches · maxMoves³).
struct CountRelaxation: Sendable {
  /// The final staff at each branch.
  let counts: [Int]
  /// The relaxation's optimum: a lower bound on any plan's objective.
  let bound: Double

  /// - Parameters:
  ///   - gainCap: when given, branch b gains at most gainCap[b] (then the result is a heuristic, not a bound).
  ///   - lossCap: when given, branch b loses at most lossCap[b].
  init(_ model: RebalanceModel, gainCap: [Int]? = nil, lossCap: [Int]? = nil) {
    let k = model.maxMoves
    let n = model.branchCount
    let width = k + 1
    // value[gained * width + lost] after the branches so far; choice[b][state] = change at b.
    var value = [Double](repeating: .infinity, count: width * width)
    value[0] = 0
    var choices = [[Int]](repeating: [], count: n)
    for b in 0..<n {
      let floor = model.keepsOne[b] ? 1 : 0
      let lowest = -min(k, max(0, model.initial[b] - floor), lossCap?[b] ?? k)
      let highest = min(k, gainCap?[b] ?? k)
      var next = [Double](repeating: .infinity, count: width * width)
      var choice = [Int](repeating: 0, count: width * width)
      for gained in 0...k {
        for lost in 0...k where value[gained * width + lost].isFinite {
          let base = value[gained * width + lost]
          for change in lowest...highest {
            let g = gained + max(change, 0)
            let l = lost + max(-change, 0)
            guard g <= k, l <= k else { continue }
            let total = base + model.cost(b, model.initial[b] + change)
            if total < next[g * width + l] {
              next[g * width + l] = total
              choice[g * width + l] = change
            }
          }
        }
      }
      value = next
      choices[b] = choice
    }
    var best = 0
    for moved in 0...k where value[moved * width + moved] < value[best * width + best] { best = moved }
    var counts = model.initial
    var gained = best
    var lost = best
    for b in stride(from: n - 1, through: 0, by: -1) {
      let change = choices[b][gained * width + lost]
      counts[b] += change
      gained -= max(change, 0)
      lost -= max(-change, 0)
    }
    self.counts = counts
    self.bound = value[best * width + best]
  }
}
