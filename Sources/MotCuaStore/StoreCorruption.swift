/// Data in the database that this version cannot read.
package struct StoreCorruption: Error, CustomStringConvertible {
  package let description: String
  package init(_ description: String) { self.description = description }
}
