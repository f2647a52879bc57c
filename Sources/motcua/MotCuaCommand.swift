import ArgumentParser

@main
struct MotCuaCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "motcua",
    abstract: "MotCua: queue and appointment server for public administrative service centres.",
    subcommands: [ServeCommand.self, TokenCommand.self, LeasesCommand.self, ReplayCommand.self, SimulateCommand.self, PlanStaffCommand.self])
}
