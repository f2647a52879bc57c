/// Erlang A's θ from what a queue showed: in M/M/s+M the share of arrivals who give up equals θ × the mean wait
/// of all arrivals, so θ = share ÷ mean wait. At the desks a citizen who gave up shows as a no-show when called.
public enum AbandonmentRate {
  /// θ per hour; 0 when nobody gave up or nobody waited.
  public static func perHour(giveUpShare: Double, meanWaitMinutes: Double) -> Double {
    guard giveUpShare > 0, giveUpShare.isFinite, meanWaitMinutes > 0, meanWaitMinutes.isFinite else { return 0 }
    return min(giveUpShare, 1) / (meanWaitMinutes / 60)
  }
}
