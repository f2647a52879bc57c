/// An administrative procedure a citizen can queue for.
public struct Service: Hashable, Sendable, Identifiable {
  public let id: ServiceID
  public let nameVi: String
  public let nameEn: String
  public let field: ServiceField
  /// The single upper-case letter that starts its ticket numbers; unique in the catalogue.
  public let prefix: String
  /// The typical time at the counter, used until history says otherwise.
  public let typicalServiceSeconds: Int
  /// Its relative share of demand.
  public let demandWeight: Int

  public init(
    id: ServiceID, nameVi: String, nameEn: String, field: ServiceField, prefix: String,
    typicalServiceSeconds: Int, demandWeight: Int
  ) {
    self.id = id
    self.nameVi = nameVi
    self.nameEn = nameEn
    self.field = field
    self.prefix = prefix
    self.typicalServiceSeconds = typicalServiceSeconds
    self.demandWeight = demandWeight
  }
}
