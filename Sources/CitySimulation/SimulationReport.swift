internal import Foundation

/// The figures of one scenario and seed, one row per policy, as a table or as JSON.
public struct SimulationReport: Sendable {
  public let scenario: String
  public let seed: UInt64
  public let citizens: Int
  public let rows: [(policy: Policy, metrics: PolicyMetrics)]

  public init(scenario: String, seed: UInt64, citizens: Int, rows: [(policy: Policy, metrics: PolicyMetrics)]) {
    self.scenario = scenario
    self.seed = seed
    self.citizens = citizens
    self.rows = rows
  }

  public func metrics(_ policy: Policy) -> PolicyMetrics? {
    self.rows.first { $0.policy == policy }?.metrics
  }

  /// A fixed-width table with a header naming the scenario, seed and number of citizens.
  public var table: String {
    var lines = ["scenario \(self.scenario), seed \(self.seed), \(self.citizens) citizens"]
    let header = [
      "policy", "mean_total", "p95_total", "p95_wait", "max_br_wait", "over_60", "q_swing", "rerouted", "served",
    ]
    lines.append(Self.row(header))
    for (policy, m) in self.rows {
      lines.append(
        Self.row([
          policy.rawValue, Self.fixed(m.meanTotalMinutes, 1), Self.fixed(m.p95TotalMinutes, 1),
          Self.fixed(m.p95WaitMinutes, 1), Self.fixed(m.maxBranchWaitRatio, 2), Self.fixed(m.shareTotalOver60, 3),
          Self.fixed(m.queueSwing, 2), "\(m.rerouted)", "\(m.served)/\(m.citizens)",
        ]))
    }
    return lines.joined(separator: "\n")
  }

  /// One JSON object keyed by policy; times in minutes. The six keys of the issue come first, then extras.
  public var json: String {
    let entries = self.rows.map { policy, m in
      let fields: [(String, String)] = [
        ("mean_total_min", Self.fixed(m.meanTotalMinutes, 3)), ("p95_total_min", Self.fixed(m.p95TotalMinutes, 3)),
        ("p95_wait_min", Self.fixed(m.p95WaitMinutes, 3)),
        ("max_branch_wait_ratio", Self.fixed(m.maxBranchWaitRatio, 4)),
        ("share_total_over_60", Self.fixed(m.shareTotalOver60, 4)), ("queue_swing", Self.fixed(m.queueSwing, 4)),
        ("mean_wait_min", Self.fixed(m.meanWaitMinutes, 3)), ("mean_travel_min", Self.fixed(m.meanTravelMinutes, 3)),
        ("citizens", "\(m.citizens)"), ("served", "\(m.served)"), ("rerouted", "\(m.rerouted)"),
      ]
      return "\"\(policy.rawValue)\": {" + fields.map { "\"\($0)\": \($1)" }.joined(separator: ", ") + "}"
    }
    return "{" + entries.joined(separator: ", ") + "}"
  }

  private static func fixed(_ value: Double, _ digits: Int) -> String {
    value.isFinite ? String(format: "%.\(digits)f", value) : "null"
  }

  private static func row(_ cells: [String]) -> String {
    let widths = [16, 11, 10, 9, 12, 8, 8, 9, 12]
    return zip(cells, widths).enumerated().map { index, pair in
      let (cell, width) = pair
      let padding = String(repeating: " ", count: max(0, width - cell.count))
      return index == 0 ? cell + padding : padding + cell
    }.joined(separator: " ")
  }
}
