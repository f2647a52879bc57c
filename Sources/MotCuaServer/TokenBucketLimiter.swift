import MotCuaDomain

/// A token bucket per key (a caller's address): `ratePerSecond` requests a second on average, bursts of
/// `burst`. Pure: time is passed in.
struct TokenBucketLimiter: Sendable {
  private struct Bucket {
    var tokens: Double
    var updatedAt: Instant
  }

  let ratePerSecond: Double
  let burst: Double
  private var buckets: [String: Bucket] = [:]

  init(ratePerSecond: Double, burst: Double) {
    precondition(ratePerSecond > 0 && burst >= 1)
    self.ratePerSecond = ratePerSecond
    self.burst = burst
  }

  /// Takes a token for `key` at `now`; false when its bucket is empty.
  mutating func allow(_ key: String, at now: Instant) -> Bool {
    var bucket = self.buckets[key] ?? Bucket(tokens: self.burst, updatedAt: now)
    let elapsed = Double(max(0, now.millisecondsSinceEpoch - bucket.updatedAt.millisecondsSinceEpoch)) / 1000
    bucket.tokens = min(self.burst, bucket.tokens + elapsed * self.ratePerSecond)
    bucket.updatedAt = now
    let allowed = bucket.tokens >= 1
    if allowed { bucket.tokens -= 1 }
    self.buckets[key] = bucket
    if self.buckets.count > 50_000 { self.forgetFull(at: now) }
    return allowed
  }

  /// Drops buckets that have refilled: they behave exactly like new ones.
  private mutating func forgetFull(at now: Instant) {
    let refill = self.burst / self.ratePerSecond
    self.buckets = self.buckets.filter { Double($0.value.updatedAt.seconds(until: now)) < refill }
  }
}
