/// How a citizen travels to a branch.
public enum TravelMode: String, Hashable, Sendable, CaseIterable {
  case walk, motorbike, car, bus
}
