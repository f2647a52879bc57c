public import CityScheduler
import Foundation
public import MotCuaDomain

/// A travel-time configuration file (`motcua serve --travel FILE`): the detour model's parameters and, when a
/// city has measured trips, a table of minutes from origin zones to branches that overrides the model.
///
/// ```json
/// {"detour_factor": 1.3,
///  "speed_km_per_hour": {"walk": 4.5, "motorbike": 22, "car": 18, "bus": 14},
///  "fixed_minutes": {"bus": 10},
///  "zones": [{"id": "phuong-dien-bien", "latitude": 21.033, "longitude": 105.838}],
///  "zone_radius_km": 2,
///  "trips": [{"zone": "phuong-dien-bien", "branch": "hn-ba-dinh", "mode": "motorbike", "minutes": 9}]}
/// ```
/// Every field is optional; what is missing keeps its default (`TravelSettings`).
public enum TravelConfiguration {
  struct File: Decodable {
    struct Zone: Decodable {
      let id: String
      let latitude: Double
      let longitude: Double
    }

    struct Trip: Decodable {
      let zone: String
      let branch: String
      let mode: String
      let minutes: Double
    }

    let detour_factor: Double?
    let speed_km_per_hour: [String: Double]?
    let fixed_minutes: [String: Double]?
    let zones: [Zone]?
    let zone_radius_km: Double?
    let trips: [Trip]?
  }

  /// The travel model a file describes, checked against the catalogue's branches.
  ///
  /// - Throws: `TravelConfiguration.Failure` naming the field at fault.
  public static func load(path: String, catalogue: Catalogue) throws -> any TravelTimeModel {
    let file: File
    do {
      file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw Failure(description: "\(path): not a travel configuration (\(error))")
    }
    var settings = TravelSettings()
    if let detour = file.detour_factor {
      guard detour >= 1, detour <= 5 else { throw Failure(description: "\(path): detour_factor must be 1–5") }
      settings.detourFactor = detour
    }
    for (name, speed) in file.speed_km_per_hour ?? [:] {
      let mode = try Self.mode(name, path: path, field: "speed_km_per_hour")
      guard speed > 0, speed <= 200 else {
        throw Failure(description: "\(path): speed_km_per_hour.\(name) must be in (0, 200]")
      }
      settings.speedKmPerHour[mode] = speed
    }
    for (name, minutes) in file.fixed_minutes ?? [:] {
      let mode = try Self.mode(name, path: path, field: "fixed_minutes")
      guard minutes >= 0, minutes <= 240 else {
        throw Failure(description: "\(path): fixed_minutes.\(name) must be 0–240")
      }
      settings.fixedMinutes[mode] = minutes
    }
    let detour = DetourTravelModel(catalogue: catalogue, settings: settings)
    guard let trips = file.trips, !trips.isEmpty else { return detour }
    let zones = (file.zones ?? []).map {
      TableTravelModel.Zone(id: $0.id, centroid: GeoPoint(latitude: $0.latitude, longitude: $0.longitude))
    }
    let zoneIDs = Set(zones.map(\.id))
    let entries = try trips.enumerated().map { index, trip in
      guard zoneIDs.contains(trip.zone) else {
        throw Failure(description: "\(path): trips[\(index)].zone '\(trip.zone)' is not in zones")
      }
      guard catalogue.branch(BranchID(trip.branch)) != nil else {
        throw Failure(description: "\(path): trips[\(index)].branch '\(trip.branch)' is not a branch")
      }
      guard trip.minutes >= 0, trip.minutes <= 600 else {
        throw Failure(description: "\(path): trips[\(index)].minutes must be 0–600")
      }
      return TableTravelModel.Entry(
        zoneID: trip.zone, branch: BranchID(trip.branch), mode: try Self.mode(trip.mode, path: path, field: "trips[\(index)].mode"),
        minutes: trip.minutes)
    }
    return TableTravelModel(zones: zones, entries: entries, zoneRadiusKm: file.zone_radius_km ?? 2, fallback: detour)
  }

  private static func mode(_ name: String, path: String, field: String) throws -> TravelMode {
    guard let mode = TravelMode(rawValue: name) else {
      throw Failure(description: "\(path): \(field): '\(name)' is not walk, motorbike, car or bus")
    }
    return mode
  }

  /// A configuration file that cannot be used, and why.
  public struct Failure: Error, CustomStringConvertible {
    public let description: String
  }
}
