internal import Logging

/// What every stream of a server shares: the methods, the limits and the error mapping.
final class GRPCServerCore: Sendable {
  let methods: [String: GRPCMethod]
  let configuration: GRPCServerConfiguration
  let limits: GRPCServerStreamStateMachine.Limits
  let logger: Logger
  /// The methods' Tasks still running, on every connection.
  let methodTasks = GRPCMethodTaskTracker()

  init(configuration: GRPCServerConfiguration, methods: [String: GRPCMethod], logger: Logger) {
    self.methods = methods
    self.configuration = configuration
    self.limits = .init(
      maxRequestMessageBytes: configuration.maxRequestMessageBytes,
      maxResponseMessageBytes: configuration.maxResponseMessageBytes
    )
    self.logger = logger
  }

  /// The status sent for a method's error.
  func status(for error: any Error, path: String) -> GRPCStatus {
    if let status = error as? GRPCStatus { return status }
    return self.configuration.statusForError(error, path)
  }
}
