/// What a policy knows about the city: the state at the last refresh, per branch and pool, in typical-time work.
struct CitySnapshot: Sendable {
  struct PoolState: Hashable, Sendable {
    /// Counter-seconds of work ahead: waiting tickets at their typical time plus what remains of those being served.
    let work: Double
    /// Typical counter-seconds arriving per second lately (all tickets).
    let arrivalWorkRate: Double
    /// The same counting only citizens who came without a recommendation.
    let walkInWorkRate: Double
    /// The wait a new ticket would have been shown at the refresh, in minutes.
    let postedWaitMinutes: Double
  }

  let second: Double
  let closed: [Bool]
  /// Per branch, per pool.
  let pools: [[PoolState]]

  /// Knows nothing yet: every branch open and empty.
  static func empty(layout: CityLayout, atSecond second: Double) -> CitySnapshot {
    CitySnapshot(
      second: second, closed: layout.branches.map { _ in false },
      pools: layout.branches.map { branch in
        branch.pools.map {
          PoolState(
            work: 0, arrivalWorkRate: 0, walkInWorkRate: 0,
            postedWaitMinutes: $0.curve.wait(behind: 0, from: second) / 60)
        }
      })
  }
}
