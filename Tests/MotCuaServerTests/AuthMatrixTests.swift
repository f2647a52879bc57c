import GRPCCore
import MotCuaDomain
import MotCuaClients
import MotCuaProtocol
import Testing

/// Who may do what, over the wire: every role against every kind of call.
@Suite(.serialized) struct AuthMatrixTests {
  enum Caller: String, CaseIterable, CustomTestStringConvertible {
    case anonymous, garbage, kioskHere, kioskElsewhere, counterHere, otherCounterHere, managerHere, managerElsewhere,
      managerCity
    var testDescription: String { self.rawValue }
  }

  static let branch = "hn-hoan-kiem"
  static let elsewhere = "hn-ba-dinh"
  static let counter = "hn-hoan-kiem-q01"
  static let otherCounter = "hn-hoan-kiem-q02"

  static func token(_ caller: Caller, on server: TestServer) async throws -> String? {
    switch caller {
    case .anonymous: nil
    case .garbage: "mct_not-a-real-token"
    case .kioskHere: try await server.token(.kiosk, branch: branch)
    case .kioskElsewhere: try await server.token(.kiosk, branch: elsewhere)
    case .counterHere: try await server.token(.counter, branch: branch, counter: counter)
    case .otherCounterHere: try await server.token(.counter, branch: branch, counter: otherCounter)
    case .managerHere: try await server.token(.manager, branch: branch)
    case .managerElsewhere: try await server.token(.manager, branch: elsewhere)
    case .managerCity: try await server.token(.manager)
    }
  }

  static let issueExpectations: [(Caller, Status.Code)] = [
    (.anonymous, .unauthenticated), (.garbage, .unauthenticated), (.kioskHere, .ok),
    (.kioskElsewhere, .permissionDenied), (.counterHere, .permissionDenied), (.otherCounterHere, .permissionDenied),
    (.managerHere, .ok), (.managerElsewhere, .permissionDenied), (.managerCity, .ok),
  ]

  static let counterExpectations: [(Caller, Status.Code)] = [
    (.anonymous, .unauthenticated), (.garbage, .unauthenticated), (.kioskHere, .permissionDenied),
    (.kioskElsewhere, .permissionDenied), (.counterHere, .ok), (.otherCounterHere, .permissionDenied),
    (.managerHere, .ok), (.managerElsewhere, .permissionDenied), (.managerCity, .ok),
  ]

  static let publicExpectations: [(Caller, Status.Code)] = Caller.allCases.map {
    ($0, $0 == .garbage ? .unauthenticated : .ok)
  }

  @Test(arguments: issueExpectations)
  func issueTicket(caller: Caller, expected: Status.Code) async throws {
    let server = try await TestServer.start()
    let token = try await Self.token(caller, on: server)
    let code = try await server.withClient { client in
      await statusCode {
        var request = Motcua_V1_IssueTicketRequest()
        request.branchID = Self.branch
        request.serviceID = "civil-birth-registration"
        request.idempotencyKey = "k1"
        _ = try await Motcua_V1_KioskService.Client(wrapping: client).issueTicket(request, metadata: bearer(token))
      }
    }
    #expect(code == expected)
    await server.stop()
  }

  @Test(arguments: counterExpectations)
  func openCounterNamingIt(caller: Caller, expected: Status.Code) async throws {
    let server = try await TestServer.start()
    let token = try await Self.token(caller, on: server)
    let code = try await server.withClient { client in
      await statusCode {
        var request = Motcua_V1_OpenCounterRequest()
        request.counterID = Self.counter
        _ = try await Motcua_V1_CounterService.Client(wrapping: client).openCounter(request, metadata: bearer(token))
      }
    }
    #expect(code == expected)
    await server.stop()
  }

  @Test(arguments: publicExpectations)
  func publicCallsNeedNoTokenButRefuseABadOne(caller: Caller, expected: Status.Code) async throws {
    let server = try await TestServer.start()
    let token = try await Self.token(caller, on: server)
    let code = try await server.withClient { client in
      await statusCode {
        var request = Motcua_V1_PredictWaitRequest()
        request.branchID = Self.branch
        request.serviceID = "civil-birth-registration"
        _ = try await Motcua_V1_KioskService.Client(wrapping: client).predictWait(request, metadata: bearer(token))
        _ = try await Motcua_V1_DirectoryService.Client(wrapping: client).listBranches(
          Motcua_V1_ListBranchesRequest(), metadata: bearer(token))
      }
    }
    #expect(code == expected)
    await server.stop()
  }
}
