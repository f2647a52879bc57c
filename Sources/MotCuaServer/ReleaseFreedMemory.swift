#if canImport(Glibc)
import Glibc
#endif

/// Gives memory freed by the C allocator back to the system (after learning from a long history, whose pages of
/// decoded events would otherwise stay in the allocator's free lists and count in the server's resident size).
/// glibc's `malloc_trim`, looked up at run time: Swift's Glibc module does not declare it.
func releaseFreedMemory() {
  #if canImport(Glibc)
  typealias MallocTrim = @convention(c) (Int) -> Int32
  guard let symbol = dlsym(nil, "malloc_trim") else { return }
  _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
  #endif
}
