public import MotCuaDomain

/// What a `BranchPredictor` knows before it has observed anything, and its tunables.
///
/// Every figure has a safe default, so `PredictorConfiguration()` predicts from observed events alone.
public struct PredictorConfiguration: Sendable, Hashable {
  /// The catalogue's typical service time per service, in seconds: the prior the learned distributions start from.
  public var typicalServiceSeconds: [ServiceID: Double]
  /// The prior mean service time of a service the catalogue does not know, until the branch's own pooled
  /// observations replace it.
  public var genericServiceSeconds: Double
  /// Converts instants to local hours (arrival rates are learned per local hour of the day).
  public var civilTime: CivilTime
  /// Monte-Carlo replications per prediction.
  public var samples: Int
  /// Prior standard deviation of log service time (0.5 ≈ a coefficient of variation of 0.53).
  public var priorLogStandardDeviation: Double
  /// Weight of the prior, in observations, when learning a service-time distribution.
  public var priorWeight: Double
  /// No-show share assumed before any call is observed.
  public var priorNoShowShare: Double
  /// Counter time taken by a no-show (call until marked absent) before any is observed, in seconds.
  public var priorNoShowSeconds: Double
  /// Past tickets kept per calibration class to correct the simulated quantiles.
  public var calibrationWindow: Int
  /// Longest wait a simulation follows, in seconds; a ticket not called by then is reported at this wait.
  public var horizonSeconds: Double
  /// How long, in seconds, a new ticket's simulated wait is reused (moved by the people who joined or left the
  /// queue ahead since) while the counters and rosters are unchanged; 0 simulates every time.
  public var outlookReuseSeconds: Double
  /// Whether predictions are corrected by the errors of past ones (off: the bare simulation, for tests).
  public var calibrates: Bool
  /// Mixed into every prediction's random seed; predictions are deterministic given the events.
  public var seed: UInt64

  public init(
    typicalServiceSeconds: [ServiceID: Double] = [:], genericServiceSeconds: Double = 600,
    civilTime: CivilTime = .vietnam, samples: Int = 160, priorLogStandardDeviation: Double = 0.5,
    priorWeight: Double = 8, priorNoShowShare: Double = 0.1, priorNoShowSeconds: Double = 120,
    calibrationWindow: Int = 400, calibrates: Bool = true, horizonSeconds: Double = 10 * 3600,
    outlookReuseSeconds: Double = 5, seed: UInt64 = 0x4D6F_7443_7561
  ) {
    precondition(samples >= 8 && genericServiceSeconds > 0 && horizonSeconds > 0)
    self.typicalServiceSeconds = typicalServiceSeconds
    self.genericServiceSeconds = genericServiceSeconds
    self.civilTime = civilTime
    self.samples = samples
    self.priorLogStandardDeviation = priorLogStandardDeviation
    self.priorWeight = priorWeight
    self.priorNoShowShare = priorNoShowShare
    self.priorNoShowSeconds = priorNoShowSeconds
    self.calibrationWindow = calibrationWindow
    self.horizonSeconds = horizonSeconds
    self.outlookReuseSeconds = outlookReuseSeconds
    self.calibrates = calibrates
    self.seed = seed
  }
}
