public import MotCuaDomain

/// Proposes staff moves between branches that minimise Σ_b λ_b·E[W_b], the waiting minutes accrued per hour.
///
/// Each branch is one M/M/s pool (see `RebalanceProblem`); E[W_b] is exact Erlang C and an unstable branch
/// counts 10⁶ minutes per arrival. A person may move only to a branch within `maxDistanceKm` whose required
/// skills they all hold; at most `maxMoves` people move; a branch with demand and staff keeps at least one
/// person. Deterministic: the same problem gives the same plan.
public struct StaffPlanner: Sendable {
  /// How the planner searches.
  public enum Search: Sendable, Hashable {
    /// Plain greedy marginal allocation: optimal without a move limit (mean wait is convex in counters), not
    /// with one. For comparison.
    case greedy
    /// First the exact optimum of the counts with who-may-go-where relaxed (dynamic programming); when direct
    /// moves realise it (maximum flow), it is the optimum. Otherwise greedy with chains (a → b → c) and batches,
    /// then exchange improvement (drop one or two moves, refill) to a local optimum, from several starts (the
    /// relaxation's partial realisation; the search under a graded penalty for unstable branches), the best
    /// kept; exhaustive enumeration too when the move sets number at most `exhaustiveLimit`.
    case improved
  }

  public var search: Search
  /// The most move sets the exhaustive search enumerates; larger problems keep the improved plan.
  public var exhaustiveLimit: Int

  public init(search: Search = .improved, exhaustiveLimit: Int = 200_000) {
    self.search = search
    self.exhaustiveLimit = exhaustiveLimit
  }

  /// The plan for `problem`: moves, the objective before and after, and every branch's outcome.
  ///
  /// With a target the plan is still the best for the objective; branches that miss the target are reported
  /// (`RebalancePlan.shortfalls`), never an error.
  /// - Throws: `DomainError.invalidArgument` naming the field, as `RebalanceProblem.validate()`.
  public func plan(_ problem: RebalanceProblem) throws(DomainError) -> RebalancePlan {
    try problem.validate()
    let model = RebalanceModel(problem)
    let search = MoveSearch(model: model)
    var placement: Placement
    var proved = false
    switch self.search {
    case .greedy:
      placement = search.greedy()
    case .improved:
      (placement, proved) = self.improvedPlacement(model, problem)
    }
    placement.resync(model)
    let before = Placement(model)
    return RebalancePlan(
      moves: Self.moves(placement, model, problem),
      objectiveBefore: before.objective,
      objective: placement.objective,
      branches: problem.branches.indices.map { b in
        Self.outcome(b, before: model.initial[b], after: placement.counts[b], model, problem)
      },
      target: problem.target,
      provedOptimal: proved)
  }

  /// The improved search (see `Search.improved`) and whether its plan is proved optimal.
  private func improvedPlacement(_ model: RebalanceModel, _ problem: RebalanceProblem) -> (Placement, Bool) {
    let search = MoveSearch(model: model)
    // The counts' relaxation (who may go where ignored) bounds every plan; realised by direct moves, it is
    // the optimum. Otherwise the relaxation is solved again a few times with the givers' losses (later also
    // the takers' gains) capped at what the moves realised, and the partial realisations seed the search.
    let relaxation = CountRelaxation(model)
    var starts: [[Int]] = []
    var targets = relaxation
    var lossCap = model.initial
    var gainCap = [Int](repeating: model.maxMoves, count: model.branchCount)
    for round in 0..<12 {
      let transfers = TransferFlow.moves(model, to: targets.counts)
      let gain = zip(targets.counts, model.initial).reduce(0) { $0 + max(0, $1.0 - $1.1) }
      if transfers.count == gain {
        var realised = Placement(model)
        for pair in transfers { realised.add(pair, model) }
        if starts.isEmpty { return (realised, true) }  // the relaxation's optimum itself: proved
        starts.append(transfers)
        break
      }
      starts.append(transfers)
      var gained = [Int](repeating: 0, count: model.branchCount)
      var lost = [Int](repeating: 0, count: model.branchCount)
      for pair in transfers {
        gained[model.pairs[pair].to] += 1
        lost[model.pairs[pair].from] += 1
      }
      // First let other branches give (a giver out of reach is the usual cause), then cap the takers too.
      for b in 0..<model.branchCount where targets.counts[b] < model.initial[b] {
        lossCap[b] = min(lossCap[b], lost[b])
      }
      if round >= 6 {
        for b in 0..<model.branchCount where targets.counts[b] > model.initial[b] {
          gainCap[b] = min(gainCap[b], gained[b])
        }
      }
      targets = CountRelaxation(model, gainCap: gainCap, lossCap: lossCap)
    }
    // Unstable branches cost a flat λ·10⁶, which leaves plateaus greedy steps cannot see across (draining an
    // unstable branch is free, settling one takes several moves): search also under a graded penalty.
    var placement = search.improved(
      guide: MoveSearch(model: RebalanceModel(problem, gradedPenalty: true)), starts: starts)
    var proved = placement.objective <= relaxation.bound + 1e-9 * max(1, abs(relaxation.bound))
    if !proved, search.moveSetCount(cap: Double(self.exhaustiveLimit) + 1) <= Double(self.exhaustiveLimit) {
      placement = search.exhaustive(incumbent: placement)
      proved = true
    }
    return (placement, proved)
  }

  /// Who makes each move: each origin's moves matched to its people, lowest staff id first within a group.
  private static func moves(_ placement: Placement, _ model: RebalanceModel, _ problem: RebalanceProblem)
    -> [StaffMove]
  {
    var moves: [StaffMove] = []
    for home in 0..<model.branchCount where !placement.outs[home].isEmpty {
      let destinations = placement.outs[home].sorted()
      let classes = model.match(home: home, destinations: destinations)!
      var taken = [Int](repeating: 0, count: model.classes[home].count)
      for (destination, group) in zip(destinations, classes) {
        let person = problem.staff[model.classes[home][group].members[taken[group]]]
        taken[group] += 1
        moves.append(StaffMove(staff: person.id, from: person.branch, to: problem.branches[destination].id))
      }
    }
    return moves.sorted { ($0.from, $0.to, $0.staff) < ($1.from, $1.to, $1.staff) }
  }

  private static func outcome(
    _ b: Int, before: Int, after: Int, _ model: RebalanceModel, _ problem: RebalanceProblem
  ) -> BranchOutcome {
    let id = problem.branches[b].id
    guard let pool = model.pools[b] else {
      let met: Double? = problem.target.map { _ in 1 }
      return BranchOutcome(
        id: id, arrivalsPerHour: 0, meanServiceMinutes: 0, staffBefore: before, staff: after,
        meanWaitMinutesBefore: 0, meanWaitMinutes: 0, shareWithinTargetBefore: met, shareWithinTarget: met,
        staffNeeded: problem.target.map { _ in 0 })
    }
    let queueBefore = ErlangC(pool: pool, servers: before)
    let queueAfter = ErlangC(pool: pool, servers: after)
    let target = problem.target
    return BranchOutcome(
      id: id, arrivalsPerHour: pool.arrivalsPerHour, meanServiceMinutes: pool.meanServiceMinutes,
      staffBefore: before, staff: after, meanWaitMinutesBefore: queueBefore.meanWaitMinutes,
      meanWaitMinutes: queueAfter.meanWaitMinutes,
      shareWithinTargetBefore: target.map { queueBefore.shareWithin(minutes: $0.withinMinutes) },
      shareWithinTarget: target.map { queueAfter.shareWithin(minutes: $0.withinMinutes) },
      staffNeeded: target.flatMap { StaffSizing.counters(for: pool, target: $0) })
  }
}
