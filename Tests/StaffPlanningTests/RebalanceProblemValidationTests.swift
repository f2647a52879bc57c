import Foundation
import MotCuaDomain
import StaffPlanning
import Testing

@Suite struct RebalanceProblemValidationTests {
  static let example = """
    {"max_moves": 5, "max_distance_km": 15, "branches": [{"id": "b1", "lat": 21.03, "lon": 105.85,
    "required_skills": ["s1"]}, {"id": "b2", "lat": 21.0, "lon": 105.8, "required_skills": []}],
    "services": [{"id": "s1", "mean_service_minutes": 12}, {"id": "s2", "mean_service_minutes": 8}],
    "demand": [{"branch": "b1", "service": "s1", "arrivals_per_hour": 20},
    {"branch": "b2", "service": "s2", "arrivals_per_hour": 30}],
    "staff": [{"id": "p1", "branch": "b1", "skills": ["s1", "s2"]}, {"id": "p2", "branch": "b2", "skills": ["s2"]}]}
    """

  static func decode(_ json: String) throws -> RebalanceProblem {
    try JSONDecoder().decode(RebalanceProblem.self, from: Data(json.utf8))
  }

  /// The issue's example verbatim: one branch, one service, and a person with a skill ("s2") no service defines.
  @Test func theIssuesLiteralExampleIsAccepted() throws {
    let literal = """
      {"max_moves": 5, "max_distance_km": 15, "branches": [{"id": "b1", "lat": 21.03, "lon": 105.85,
      "required_skills": ["s1"]}], "services": [{"id": "s1", "mean_service_minutes": 12}], "demand": [{"branch":
      "b1", "service": "s1", "arrivals_per_hour": 20}], "staff": [{"id": "p1", "branch": "b1", "skills": ["s1",
      "s2"]}]}
      """
    let plan = try StaffPlanner().plan(try Self.decode(literal))
    #expect(plan.moves.isEmpty)
    #expect(plan.branches.map(\.staff) == [1])
    #expect(!plan.branches[0].isStable)  // 20 an hour × 12 min = 4 Erlangs at one counter
  }

  @Test func theIssuesInputShapeDecodesAndPlansToTheIssuesOutputShape() throws {
    let plan = try StaffPlanner().plan(try Self.decode(Self.example))
    let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(plan)) as! [String: Any]
    for key in ["moves", "objective_before", "objective", "branches"] { #expect(json[key] != nil) }
    let branch = (json["branches"] as! [[String: Any]])[0]
    #expect(branch["id"] as? String == "b1" && branch["staff"] is Int && branch.keys.contains("mean_wait_min"))
  }

  @Test(arguments: [
    ("\"max_moves\": 5", "\"max_moves\": 0", "max_moves:"),
    ("\"max_moves\": 5", "\"max_moves\": -2", "max_moves:"),
    ("\"max_distance_km\": 15", "\"max_distance_km\": 0", "max_distance_km:"),
    ("\"id\": \"b2\"", "\"id\": \"b1\"", "branches[1].id: duplicate"),
    ("\"id\": \"p2\"", "\"id\": \"p1\"", "staff[1].id: duplicate"),
    ("\"id\": \"s2\"", "\"id\": \"s1\"", "services[1].id: duplicate"),
    ("\"branch\": \"b2\", \"skills\"", "\"branch\": \"b9\", \"skills\"", "staff[1].branch: unknown branch 'b9'"),
    ("\"branch\": \"b2\", \"service\"", "\"branch\": \"bx\", \"service\"", "demand[1].branch: unknown branch"),
    ("\"service\": \"s2\"", "\"service\": \"sx\"", "demand[1].service: unknown service"),
    ("\"arrivals_per_hour\": 30", "\"arrivals_per_hour\": -1", "demand[1].arrivals_per_hour:"),
    ("\"mean_service_minutes\": 8", "\"mean_service_minutes\": 0", "services[1].mean_service_minutes:"),
    ("\"required_skills\": [\"s1\"]", "\"required_skills\": [\"zz\"]", "branches[0].required_skills: unknown"),
    ("\"lat\": 21.03", "\"lat\": 121.03", "branches[0].lat:"),
  ])
  func badInputIsRejectedNamingTheField(original: String, replacement: String, message: String) throws {
    let json = Self.example.replacingOccurrences(of: original, with: replacement)
    #expect(json != Self.example)
    let problem = try Self.decode(json)
    #expect {
      try StaffPlanner().plan(problem)
    } throws: { error in
      let error = error as! DomainError
      return error.code == .invalidArgument && error.message.hasPrefix(message)
    }
  }

  @Test func aTargetOutOfRangeFailsToDecode() {
    let json = Self.example.replacingOccurrences(
      of: "\"max_moves\": 5", with: "\"target\": {\"within_minutes\": 15, \"share\": 1.5}, \"max_moves\": 5")
    #expect(throws: DecodingError.self) { try Self.decode(json) }
  }
}
