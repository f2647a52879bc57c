import ArgumentParser
import Logging
import MotCuaDomain
import MotCuaServer

struct TokenCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "token", abstract: "Manage bearer tokens.", subcommands: [Create.self])

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Create a token and print it (it is shown once; only its hash is stored).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Seed directory, if the database is new.") var seeds = "seeds"
    @Option(help: "kiosk, counter, manager or portal.") var role: String
    @Option(help: "The branch it acts for (required for kiosk and counter; a manager without one is city-wide).")
    var branch: String?
    @Option(help: "The counter, for a counter token.") var counter: String?
    @Option(help: "A note to recognise the token by, e.g. the device.") var label = ""

    func run() async throws {
      guard let role = Principal.Role(rawValue: self.role) else {
        throw ValidationError("--role must be kiosk, counter, manager or portal")
      }
      var logger = Logger(label: "motcua")
      logger.logLevel = .warning
      do {
        let token = try await TokenAdministration.create(
          database: self.database.location, seedsDirectory: self.seeds, role: role, branch: self.branch, counter: self.counter,
          label: self.label, logger: logger)
        print(token)
      } catch let error as DomainError {
        throw ValidationError(error.message)
      }
    }
  }
}
