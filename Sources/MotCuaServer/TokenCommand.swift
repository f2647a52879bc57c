public import Logging
public import MotCuaDomain
import MotCuaStore

/// `motcua token create`: makes a token, stores its hash, returns the token (shown once).
public enum TokenAdministration {
  /// - Throws: `DomainError` when the role's branch or counter is missing or unknown.
  public static func create(
    database: DatabaseLocation, seedsDirectory: String, role: Principal.Role, branch: String?, counter: String?,
    label: String, clock: any WallClock = SystemClock(), logger: Logger
  ) async throws -> String {
    let opened = try await OpenedStore.open(database, logger: logger)
    defer { opened.close() }
    let store = opened.store
    let catalogue = try await MotCuaApplication.catalogue(store: store, seeds: seedsDirectory, logger: logger)
    let branchID = try branch.map { id throws(DomainError) in try catalogue.requireBranch(BranchID(id)).id }
    var counterID: CounterID? = nil
    switch role {
    case .kiosk:
      guard branchID != nil else { throw DomainError.invalidArgument("a kiosk token needs --branch") }
    case .counter:
      guard let branchID, let counter else {
        throw DomainError.invalidArgument("a counter token needs --branch and --counter")
      }
      let found = try catalogue.requireCounter(CounterID(counter))
      guard found.branchID == branchID else {
        throw DomainError.invalidArgument("counter '\(counter)' is at branch '\(found.branchID)', not '\(branchID)'")
      }
      counterID = found.id
    case .manager, .portal:
      break
    }
    let (token, id) = Tokens.generate()
    try await store.createToken(
      TokenRecord(
        principal: Principal(id: id, role: role, branchID: branchID, counterID: counterID),
        tokenHash: Tokens.hash(token), label: label, createdAt: clock.now()))
    return token
  }
}
