public import MotCuaDomain

/// The queue-length (QL) predictor: with `n` people ahead and `c` counters each serving at rate μ = 1/S, the
/// wait is the time of the (n+1)-th service completion among c busy counters, Erlang(n+1, c·μ):
/// mean (n+1)·S/c, p50 and p90 its quantiles.
public struct QueueLengthEstimator: WaitEstimator {
  public init() {}

  public func estimate(_ query: WaitQuery) -> WaitEstimate {
    let assumesRostered = query.openCounters == 0
    let counters = max(1, assumesRostered ? query.rosteredCounters : query.openCounters)
    let rate = Double(counters) / Double(max(1, query.meanServiceSeconds))
    let erlang = ErlangDistribution(shape: query.peopleAhead + 1, rate: rate)
    return WaitEstimate(
      meanSeconds: Int(erlang.mean.rounded()),
      p50Seconds: Int(erlang.quantile(0.5).rounded()),
      p90Seconds: Int(erlang.quantile(0.9).rounded()),
      peopleAhead: query.peopleAhead,
      openCounters: query.openCounters,
      assumesRosteredCounters: assumesRostered,
      method: "queue-length"
    )
  }
}
