import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where the server's CPU goes, by stage of serving a call: each stage's thread CPU time, summed over every thread
/// and call, for the performance benchmark's per-call breakdown. What the stages leave of the process's CPU is
/// the transport (HTTP/2, gRPC framing, the event loops, task scheduling).
///
/// Off unless `enable()` is called (`motcua serve --stage-cpu`): then a measured section costs two reads of the
/// thread's CPU clock (a system call each, about a microsecond together); off, one relaxed atomic load.
public final class StageCPU: Sendable {
  /// A measured section of serving a call.
  public enum Stage: Int, CaseIterable, Sendable {
    /// Protobuf decoding of requests.
    case decode
    /// Wait prediction: a new ticket's estimate, a ticket's remaining wait, the predictors learning each event.
    case predict
    /// The kiosk's suggestion of a nearby branch.
    case suggest
    /// The store's write transactions (SQLite: the group committer's batches, through COMMIT and its fsync; with
    /// group commit off, each command's body without GRDB's COMMIT). Not measured on PostgreSQL.
    case store
    /// Applying committed events to the live branch views and handing them to display boards (prediction's part
    /// excluded).
    case liveViews
    /// Protobuf encoding of answers.
    case encode

    /// The name the summary line uses.
    public var name: String {
      switch self {
      case .decode: "decode"
      case .predict: "predict"
      case .suggest: "suggest"
      case .store: "store"
      case .liveViews: "live_views"
      case .encode: "encode"
      }
    }
  }

  /// The process's accounts (the server's stages run in many modules and threads).
  public static let shared = StageCPU()

  private final class Total: Sendable {
    let nanoseconds = Atomic<UInt64>(0)
  }

  private let enabled = Atomic<Bool>(false)
  private let totals = Stage.allCases.map { _ in Total() }

  public init() {}

  /// Starts measuring (for the rest of the process's life).
  public func enable() { self.enabled.store(true, ordering: .relaxed) }

  public var isEnabled: Bool { self.enabled.load(ordering: .relaxed) }

  /// Runs `body`, adding the CPU time its thread spent to `stage`. A section measured inside another (on the same
  /// thread) counts only in its own stage: the enclosing section adds its time less that of the sections inside
  /// it, so no CPU counts twice and no total ever goes down.
  @inline(__always)
  public func measure<T, E: Error>(_ stage: Stage, _ body: () throws(E) -> T) throws(E) -> T {
    guard self.isEnabled else { return try body() }
    let enclosingInner = Self.innerNanoseconds
    Self.innerNanoseconds = 0
    let start = Self.threadNanoseconds()
    defer {
      let spent = Self.threadNanoseconds() &- start
      let inner = Self.innerNanoseconds
      self.totals[stage.rawValue].nanoseconds.wrappingAdd(spent > inner ? spent - inner : 0, ordering: .relaxed)
      // What this section spent is inner time of the one it is in (if any).
      Self.innerNanoseconds = enclosingInner &+ spent
    }
    return try body()
  }

  /// CPU time of the sections that ended inside the current one, on this thread (a pthread-specific value).
  private static var innerNanoseconds: UInt64 {
    get { UInt64(UInt(bitPattern: pthread_getspecific(Self.innerKey))) }
    set { pthread_setspecific(Self.innerKey, UnsafeRawPointer(bitPattern: UInt(newValue))) }
  }

  private static let innerKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key left for StageCPU")
    return key
  }()

  /// CPU nanoseconds spent in `stage` so far.
  public func nanoseconds(_ stage: Stage) -> UInt64 {
    self.totals[stage.rawValue].nanoseconds.load(ordering: .relaxed)
  }

  /// Every stage's CPU so far, in microseconds: `decode=12 predict=3400 …`.
  public var summary: String {
    Stage.allCases.map { "\($0.name)=\(self.nanoseconds($0) / 1000)" }.joined(separator: " ")
  }

  /// The calling thread's CPU time (user and system).
  public static func threadNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
  }
}
