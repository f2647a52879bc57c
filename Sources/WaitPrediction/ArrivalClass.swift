/// The classes arrivals are forecast in: they queue differently.
public enum ArrivalClass: Int, CaseIterable, Sendable, Hashable {
  case walkIn = 0
  case priority = 1
  case appointment = 2
}
