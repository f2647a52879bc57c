import MotCuaDomain
import MotCuaStore
import Synchronization

/// Turns `authorization: Bearer <token>` into a `Principal`. Known tokens are cached by hash; unknown ones
/// are looked up each time, so a token created while the server runs works at once.
final class Authenticator: Sendable {
  private let store: any MotCuaStore
  private let known = Mutex<[String: Principal]>([:])

  init(store: any MotCuaStore) {
    self.store = store
  }

  /// The caller's principal, or nil when no token was sent.
  ///
  /// - Throws: `unauthenticated` for a malformed or unknown token.
  func principal(_ context: CallContext) async throws -> Principal? {
    guard let header = context.authorization, !header.isEmpty else { return nil }
    let parts = header.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty, parts[1].count <= 256 else {
      throw DomainError.unauthenticated("the authorization metadata must be 'Bearer <token>'")
    }
    let hash = Tokens.hash(String(parts[1]))
    if let cached = self.known.withLock({ $0[hash] }) { return cached }
    guard let principal = try await self.store.principal(forTokenHash: hash) else {
      throw DomainError.unauthenticated("the token is not valid; ask an administrator for a new one")
    }
    self.known.withLock { $0[hash] = principal }
    return principal
  }

  /// The caller's principal; a token is required.
  func require(_ context: CallContext, for action: String) async throws -> Principal {
    guard let principal = try await self.principal(context) else {
      throw DomainError.unauthenticated("\(action) needs a token: send 'authorization: Bearer <token>'")
    }
    return principal
  }
}
