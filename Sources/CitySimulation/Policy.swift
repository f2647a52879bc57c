/// How a citizen picks a branch in the simulation.
public enum Policy: String, Hashable, Sendable, CaseIterable {
  /// The nearest branch serving the service; a closure is discovered on arrival.
  case nearest
  /// Travel + the posted current wait, refreshed every `refresh_minutes`, always the minimum: what apps that
  /// "publish the waits" do, with no guard against herding.
  case shortestPosted = "shortest-posted"
  /// `CityScheduler.BranchChooser`: predicted wait at arrival, pending recommendations, spare-capacity caps and
  /// a soft-min among near-best branches.
  case motcua
}
