import ArgumentParser
import MotCuaDomain
import MotCuaServer

struct LeasesCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "leases",
    abstract: "List the numbers leased to kiosks on a day and those never issued (the only numbering gaps).")

  @Option(help: "SQLite database file.") var db = "motcua.sqlite"
  @Option(help: "Branch id.") var branch: String
  @Option(help: "Civil date YYYY-MM-DD (default: today).") var date: String?

  func run() async throws {
    do {
      print(try await LeaseReport.text(databasePath: self.db, branch: self.branch, date: self.date))
    } catch let error as DomainError {
      throw ValidationError(error.message)
    }
  }
}
