/// A gRPC status code, as carried in the `grpc-status` trailer.
public enum GRPCStatusCode: Int, Sendable {
  case ok = 0
  case cancelled
  case unknown
  case invalidArgument
  case deadlineExceeded
  case notFound
  case alreadyExists
  case permissionDenied
  case resourceExhausted
  case failedPrecondition
  case aborted
  case outOfRange
  case unimplemented
  case internalError
  case unavailable
  case dataLoss
  case unauthenticated
}
