internal import NIOCore

extension TimeAmount {
  /// The duration in nanoseconds, saturated to what `TimeAmount` holds (about 292 years) instead
  /// of trapping on overflow: a `grpc-timeout` of `99999999H` is some 11,000 years.
  init(clamping duration: Duration) {
    let components = duration.components
    let (scaled, overflow) = components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
    if overflow {
      self = .nanoseconds(components.seconds < 0 ? .min : .max)
      return
    }
    let (sum, sumOverflow) = scaled.addingReportingOverflow(components.attoseconds / 1_000_000_000)
    if sumOverflow {
      self = .nanoseconds(scaled < 0 ? .min : .max)
      return
    }
    self = .nanoseconds(sum)
  }
}
