import MotCuaDomain

/// What the authenticator knows of a caller from memory alone.
enum TokenLookup: Sendable {
  /// No token was sent.
  case anonymous
  /// A token found valid within the cache time.
  case known(Principal)
  /// A token the store must be asked about (its keyed hash).
  case lookUp(hash: String)
}
