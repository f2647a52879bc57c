/// The server may lose committed transactions in a crash (`fsync` or `synchronous_commit` is off), and unsafe
/// durability was not allowed.
public struct PostgresDurabilityError: Error, CustomStringConvertible {
  /// The setting that is off, and its value.
  public let setting: String
  public let value: String

  public var description: String {
    "PostgreSQL setting \(self.setting) is '\(self.value)': a commit the server acknowledged could be lost in a "
      + "crash; turn it on, or start with --allow-unsafe-durability to run anyway"
  }
}
