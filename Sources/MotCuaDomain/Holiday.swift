/// A public holiday: the branches are closed.
public struct Holiday: Hashable, Sendable {
  public let date: LocalDate
  public let nameVi: String
  public let nameEn: String
  /// True when the official schedule was not yet announced and the date follows the statute only.
  public let provisional: Bool

  public init(date: LocalDate, nameVi: String, nameEn: String, provisional: Bool) {
    self.date = date
    self.nameVi = nameVi
    self.nameEn = nameEn
    self.provisional = provisional
  }
}
