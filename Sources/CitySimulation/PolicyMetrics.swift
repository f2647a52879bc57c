/// The figures a policy is judged by.
///
/// - total: from setting out to being called at a counter (travel, all legs, plus waiting);
/// - wait: total minus travel;
/// - `maxBranchWaitRatio`: the highest mean wait of the citizens a branch served, over the city's mean wait (1
///   when nobody waits);
/// - `queueSwing`: the herding measure, in minutes: each branch's queue is sampled every 5 minutes (first hour to
///   end hour) as the wait it represents (typical minutes of the waiting tickets ÷ counters working); a branch's
///   swing is the mean absolute change between consecutive samples; `queueSwing` is the mean over branches. A
///   branch that fills and empties as crowds arrive swings more than one whose queue moves steadily.
public struct PolicyMetrics: Hashable, Sendable {
  public let citizens: Int
  public let served: Int
  public let meanTotalMinutes: Double
  public let p95TotalMinutes: Double
  public let meanWaitMinutes: Double
  public let p95WaitMinutes: Double
  public let meanTravelMinutes: Double
  public let maxBranchWaitRatio: Double
  public let shareTotalOver60: Double
  public let queueSwing: Double
  /// Citizens who went to more than one branch.
  public let rerouted: Int

  init(run: PolicyRun) {
    let served = run.outcomes.filter { $0.servedAt != nil }
    self.citizens = run.outcomes.count
    self.served = served.count
    let totals = served.map(\.totalMinutes)
    let waits = served.map(\.waitMinutes)
    self.meanTotalMinutes = Self.mean(totals)
    self.p95TotalMinutes = Self.percentile(totals, 0.95)
    self.meanWaitMinutes = Self.mean(waits)
    self.p95WaitMinutes = Self.percentile(waits, 0.95)
    self.meanTravelMinutes = Self.mean(served.map(\.travelMinutes))
    self.shareTotalOver60 = served.isEmpty ? 0 : Double(totals.count(where: { $0 > 60 })) / Double(served.count)
    self.rerouted = run.outcomes.count(where: { $0.reroutes > 0 })

    let byBranch = Dictionary(grouping: served, by: { $0.servedAt! }).mapValues { Self.mean($0.map(\.waitMinutes)) }
    let worst = byBranch.values.max() ?? 0
    self.maxBranchWaitRatio = self.meanWaitMinutes > 0 ? worst / self.meanWaitMinutes : 1

    let swings = run.queueSamples.map { samples in
      samples.count < 2 ? 0 : Self.mean(zip(samples.dropFirst(), samples).map { abs($0 - $1) })
    }
    self.queueSwing = Self.mean(swings)
  }

  static func mean(_ values: [Double]) -> Double {
    values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
  }

  /// The nearest-rank percentile: the smallest value with at least `fraction` of the values at or below it.
  static func percentile(_ values: [Double], _ fraction: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let rank = Int((fraction * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count, max(1, rank)) - 1]
  }
}
