/// The Erlang B (loss) formula, by its numerically stable recursion.
public enum ErlangB {
  /// The blocking probability B(s, a) of `servers` counters offered `offeredLoad` Erlangs.
  ///
  /// B(0, a) = 1 and B(k, a) = a·B(k−1, a) / (k + a·B(k−1, a)): no factorials, no overflow, O(s).
  /// - Precondition: `offeredLoad >= 0`, `servers >= 0`.
  public static func blocking(offeredLoad: Double, servers: Int) -> Double {
    precondition(offeredLoad >= 0 && servers >= 0, "offeredLoad and servers must be >= 0")
    var blocking = 1.0
    for k in stride(from: 1, through: servers, by: 1) {
      blocking = Self.next(blocking, offeredLoad: offeredLoad, servers: k)
    }
    return blocking
  }

  /// B(s, a) from B(s−1, a).
  static func next(_ previous: Double, offeredLoad a: Double, servers s: Int) -> Double {
    a * previous / (Double(s) + a * previous)
  }
}
