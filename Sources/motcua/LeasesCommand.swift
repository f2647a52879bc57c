import ArgumentParser
import Logging
import MotCuaDomain
import MotCuaServer

struct LeasesCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "leases",
    abstract: "List the numbers leased to kiosks on a day and those never issued (the only numbering gaps).")

  @OptionGroup var database: DatabaseOptions
  @Option(help: "Branch id.") var branch: String
  @Option(help: "Civil date YYYY-MM-DD (default: today).") var date: String?

  func run() async throws {
    do {
      var logger = Logger(label: "motcua")
      logger.logLevel = .warning
      print(
        try await LeaseReport.text(
          database: self.database.location, branch: self.branch, date: self.date, logger: logger))
    } catch let error as DomainError {
      throw ValidationError(error.message)
    }
  }
}
