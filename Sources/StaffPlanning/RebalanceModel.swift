internal import CityScheduler
internal import MotCuaDomain

/// A validated problem in indices: per-branch cost tables, the branch pairs a move can take, and the people at
/// each branch grouped by where they may go.
struct RebalanceModel: Sendable {
  /// People at one branch who may move to exactly the same branches: interchangeable for the plan.
  struct PersonClass: Sendable {
    /// eligible[b]: whether they may move to branch b.
    let eligible: [Bool]
    /// Indices into the problem's staff, by staff id.
    let members: [Int]
  }

  /// What an unstable branch costs per arrival, in waiting minutes per hour.
  static let unstablePenaltyPerArrival = 1e6

  let branchCount: Int
  /// The effective move limit: the problem's, capped at the number of staff.
  let maxMoves: Int
  let initial: [Int]
  let pools: [ServicePool?]
  /// costs[b][s] = λ_b·E[W_b] with s staff, for s in 0...initial[b] + maxMoves.
  let costs: [[Double]]
  /// A branch with demand and staff keeps at least one person.
  let keepsOne: [Bool]
  /// Branch pairs (from, to) some person at `from` may move along.
  let pairs: [(from: Int, to: Int)]
  /// pairIndex[from][to], or -1.
  let pairIndex: [[Int]]
  /// classes[b]: the people at branch b, grouped.
  let classes: [[PersonClass]]

  /// - Parameter gradedPenalty: false: the objective's costs. True: a search guide in which an unstable branch
  ///   also costs λ·10⁶·d/s* more, d being the staff it lacks to settle and s* the fewest that settle it, so
  ///   taking someone from an unstable branch is no longer free and each person towards settling one counts.
  /// - Precondition: `problem` is valid.
  init(_ problem: RebalanceProblem, gradedPenalty: Bool = false) {
    let branchCount = problem.branches.count
    var branchIndex: [BranchID: Int] = [:]
    for (index, branch) in problem.branches.enumerated() { branchIndex[branch.id] = index }
    let serviceMinutes = Dictionary(uniqueKeysWithValues: problem.services.map { ($0.id, $0.meanServiceMinutes) })

    var arrivals = [Double](repeating: 0, count: branchCount)
    var weightedMinutes = [Double](repeating: 0, count: branchCount)
    for row in problem.demand {
      let b = branchIndex[row.branch]!
      arrivals[b] += row.arrivalsPerHour
      weightedMinutes[b] += row.arrivalsPerHour * serviceMinutes[row.service]!
    }
    var initial = [Int](repeating: 0, count: branchCount)
    for person in problem.staff { initial[branchIndex[person.branch]!] += 1 }

    let maxMoves = min(problem.maxMoves, problem.staff.count)
    self.branchCount = branchCount
    self.maxMoves = maxMoves
    self.initial = initial
    self.pools = (0..<branchCount).map { b -> ServicePool? in
      guard arrivals[b] > 0 else { return nil }
      return ServicePool(arrivalsPerHour: arrivals[b], meanServiceMinutes: weightedMinutes[b] / arrivals[b])
    }
    self.costs = (0..<branchCount).map { [pools = self.pools] b in
      let top = initial[b] + maxMoves
      guard let pool = pools[b] else { return [Double](repeating: 0, count: top + 1) }
      let settling = Int(pool.offeredLoad.rounded(.down)) + 1  // s*: the fewest staff with λ < sμ
      return ErlangC.table(pool: pool, maxServers: top).map { queue in
        guard !queue.isStable else { return pool.arrivalsPerHour * queue.meanWaitMinutes }
        let penalty = pool.arrivalsPerHour * Self.unstablePenaltyPerArrival
        let lacking = Double(max(settling - queue.servers, 1))
        return gradedPenalty ? penalty * (1 + lacking / Double(settling)) : penalty
      }
    }
    self.keepsOne = (0..<branchCount).map { arrivals[$0] > 0 && initial[$0] > 0 }

    // Who may go where: within the distance, holding every required skill.
    let reachable: [[Bool]] = problem.branches.map { from in
      problem.branches.map { to in
        from.id != to.id && from.location.distanceKm(to: to.location) <= problem.maxDistanceKm
      }
    }
    var groups = [[[Bool]: [Int]]](repeating: [:], count: branchCount)
    let order = problem.staff.indices.sorted { problem.staff[$0].id < problem.staff[$1].id }
    for p in order {
      let person = problem.staff[p]
      let home = branchIndex[person.branch]!
      let eligible = (0..<branchCount).map { b in
        reachable[home][b] && problem.branches[b].requiredSkills.isSubset(of: person.skills)
      }
      groups[home][eligible, default: []].append(p)
    }
    self.classes = groups.map { group in
      group.map { PersonClass(eligible: $0.key, members: $0.value) }
        .sorted { $0.members[0] < $1.members[0] }
    }
    var pairs: [(from: Int, to: Int)] = []
    var pairIndex = [[Int]](repeating: [Int](repeating: -1, count: branchCount), count: branchCount)
    for from in 0..<branchCount {
      for to in 0..<branchCount where self.classes[from].contains(where: { $0.eligible[to] }) {
        pairIndex[from][to] = pairs.count
        pairs.append((from, to))
      }
    }
    self.pairs = pairs
    self.pairIndex = pairIndex
  }

  /// The objective's term for branch b with `staff` people; infinite outside the table.
  @inline(__always)
  func cost(_ b: Int, _ staff: Int) -> Double {
    staff >= 0 && staff < self.costs[b].count ? self.costs[b][staff] : .infinity
  }

  /// Whether branch b may end with `staff` people.
  @inline(__always)
  func allows(_ b: Int, _ staff: Int) -> Bool {
    staff >= (self.keepsOne[b] ? 1 : 0) && staff < self.costs[b].count
  }

  /// Which class at `home` serves each of `destinations`, or nil if its people cannot cover them all.
  func match(home: Int, destinations: [Int]) -> [Int]? {
    let classes = self.classes[home]
    var used = [Int](repeating: 0, count: classes.count)
    var assigned = [Int](repeating: -1, count: destinations.count)
    func augment(_ d: Int, _ visited: inout [Bool]) -> Bool {
      for c in classes.indices where classes[c].eligible[destinations[d]] && !visited[c] {
        visited[c] = true
        if used[c] < classes[c].members.count {
          used[c] += 1
          assigned[d] = c
          return true
        }
        for other in destinations.indices where assigned[other] == c && augment(other, &visited) {
          assigned[d] = c
          return true
        }
      }
      return false
    }
    for d in destinations.indices {
      var visited = [Bool](repeating: false, count: classes.count)
      guard augment(d, &visited) else { return nil }
    }
    return assigned
  }
}
