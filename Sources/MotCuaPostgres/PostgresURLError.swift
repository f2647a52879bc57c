/// A database URL the store cannot use.
struct PostgresURLError: Error, CustomStringConvertible {
  let description: String
}
