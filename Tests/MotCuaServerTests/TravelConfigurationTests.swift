import CityScheduler
import Foundation
import MotCuaDomain
import MotCuaSeeds
import MotCuaServer
import Testing

/// `motcua serve --travel FILE`: the detour model's parameters and a table of measured trips.
@Suite struct TravelConfigurationTests {
  let catalogue = try! SeedLoader.load(directory: TestServer.seeds)

  func write(_ json: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("travel-\(UUID().uuidString).json").path
    try json.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func measuredTripsOverrideTheModelAndSettingsChangeIt() throws {
    let path = try self.write(
      """
      {"detour_factor": 1.5, "speed_km_per_hour": {"motorbike": 30},
       "zones": [{"id": "cg", "latitude": 21.033, "longitude": 105.799}],
       "trips": [{"zone": "cg", "branch": "hn-cau-giay", "mode": "motorbike", "minutes": 11}]}
      """)
    let model = try TravelConfiguration.load(path: path, catalogue: self.catalogue)
    let origin = GeoPoint(latitude: 21.034, longitude: 105.800)
    #expect(model.travel(from: origin, to: BranchID("hn-cau-giay"), mode: .motorbike)?.minutes == 11)
    let ba = try #require(model.travel(from: origin, to: BranchID("hn-ba-dinh"), mode: .motorbike))
    let defaults = DetourTravelModel(catalogue: self.catalogue)
    let reference = try #require(defaults.travel(from: origin, to: BranchID("hn-ba-dinh"), mode: .motorbike))
    #expect(abs(ba.km - reference.km * 1.5 / 1.3) < 1e-9)
    #expect(abs(ba.minutes - ba.km / 30 * 60) < 1e-9)
  }

  @Test(arguments: [
    (#"{"trips": [{"zone": "x", "branch": "hn-ba-dinh", "mode": "walk", "minutes": 3}]}"#, "zone 'x'"),
    (#"{"speed_km_per_hour": {"rocket": 900}}"#, "'rocket'"),
    (#"{"detour_factor": 0.5}"#, "detour_factor"),
    (#"{"zones": [{"id": "z", "latitude": 21, "longitude": 105.8}], "trips": [{"zone": "z", "branch": "hn-nowhere", "mode": "car", "minutes": 3}]}"#, "'hn-nowhere'"),
    ("not json", "not a travel configuration"),
  ])
  func badFilesAreRefusedNamingTheField(json: String, reason: String) throws {
    let path = try self.write(json)
    #expect {
      _ = try TravelConfiguration.load(path: path, catalogue: self.catalogue)
    } throws: { error in
      String(describing: error).contains(reason)
    }
  }
}
