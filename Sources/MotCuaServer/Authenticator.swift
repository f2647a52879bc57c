import MotCuaDomain
import MotCuaStore
import Synchronization

/// Turns `authorization: Bearer <token>` into a `Principal`. Known tokens are cached by hash; unknown ones
/// are looked up each time, so a token created while the server runs works at once.
final class Authenticator: Sendable {
  /// How long a token found valid is trusted before it is looked up again (a revoked token stops working
  /// within this time).
  static let cacheSeconds: Int64 = 60

  private let store: any MotCuaStore
  private let clock: any WallClock
  private let known = Mutex<[String: (principal: Principal, until: Instant)]>([:])

  init(store: any MotCuaStore, clock: any WallClock) {
    self.store = store
    self.clock = clock
  }

  /// The caller's principal, or nil when no token was sent.
  ///
  /// - Throws: `unauthenticated` for a malformed or unknown token.
  func principal(_ context: CallContext) async throws -> Principal? {
    switch try self.principalFromMemory(context) {
    case .anonymous: return nil
    case .known(let principal): return principal
    case .lookUp(let hash):
      guard let principal = try await self.store.principal(forTokenHash: hash) else {
        self.known.withLock { _ = $0.removeValue(forKey: hash) }
        throw DomainError.unauthenticated("the token is not valid; ask an administrator for a new one")
      }
      self.known.withLock { $0[hash] = (principal, self.clock.now().adding(seconds: Self.cacheSeconds)) }
      return principal
    }
  }

  /// What is known of the caller without the store: no token, a token found valid recently, or a token to look up.
  ///
  /// - Throws: `unauthenticated` for a malformed `authorization` value.
  func principalFromMemory(_ context: CallContext) throws -> TokenLookup {
    guard let header = context.authorization, !header.isEmpty else { return .anonymous }
    let parts = header.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty, parts[1].count <= 256 else {
      throw DomainError.unauthenticated("the authorization metadata must be 'Bearer <token>'")
    }
    let hash = Tokens.hash(String(parts[1]))
    let now = self.clock.now()
    if let cached = self.known.withLock({ $0[hash] }), now < cached.until { return .known(cached.principal) }
    return .lookUp(hash: hash)
  }

  /// The caller's principal; a token is required.
  func require(_ context: CallContext, for action: String) async throws -> Principal {
    guard let principal = try await self.principal(context) else {
      throw DomainError.unauthenticated("\(action) needs a token: send 'authorization: Bearer <token>'")
    }
    return principal
  }
}
