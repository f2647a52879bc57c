internal import Foundation

// Foundation's libm functions, wrapped so the rest of the module reads without it.
extension Double {
  var exponential: Double { exp(self) }
  var logarithm: Double { log(self) }
  /// log Γ(self).
  var logGamma: Double { lgamma(self) }
}
