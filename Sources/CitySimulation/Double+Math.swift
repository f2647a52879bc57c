internal import Foundation

// Foundation's libm functions, wrapped so the rest of the module reads without it.
extension Double {
  var sine: Double { sin(self) }
  var cosine: Double { cos(self) }
  var exponential: Double { exp(self) }
  var logarithm: Double { log(self) }
}
