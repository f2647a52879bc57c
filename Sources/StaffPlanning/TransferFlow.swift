/// Realises target counts by direct moves: a maximum flow from the branches that lose staff, through the
/// groups of people there, to the branches that gain, each person moving at most once.
enum TransferFlow {
  /// The moves (pair indices) of a maximum flow; it realises `targets` exactly when its size is the total gain.
  static func moves(_ model: RebalanceModel, to targets: [Int]) -> [Int] {
    let n = model.branchCount
    // Nodes: source, gaining branches, groups, losing branches, sink.
    var groups: [(home: Int, index: Int)] = []
    for home in 0..<n {
      for index in model.classes[home].indices { groups.append((home, index)) }
    }
    let source = 0
    let gainBase = 1
    let groupBase = gainBase + n
    let loseBase = groupBase + groups.count
    let sink = loseBase + n
    var graph = FlowGraph(nodes: sink + 1)
    for b in 0..<n where targets[b] > model.initial[b] {
      graph.addEdge(source, gainBase + b, capacity: targets[b] - model.initial[b])
      for (g, group) in groups.enumerated() where model.classes[group.home][group.index].eligible[b] {
        graph.addEdge(gainBase + b, groupBase + g, capacity: model.maxMoves)
      }
    }
    for (g, group) in groups.enumerated() {
      let size = model.classes[group.home][group.index].members.count
      graph.addEdge(groupBase + g, loseBase + group.home, capacity: size)
    }
    for h in 0..<n where targets[h] < model.initial[h] {
      graph.addEdge(loseBase + h, sink, capacity: model.initial[h] - targets[h])
    }
    graph.maximise(from: source, to: sink)
    var moves: [Int] = []
    for b in 0..<n {
      for edge in graph.edges(from: gainBase + b) where edge.to >= groupBase && edge.to < loseBase {
        let home = groups[edge.to - groupBase].home
        moves += Array(repeating: model.pairIndex[home][b], count: edge.flow)
      }
    }
    return moves
  }
}

/// A small flow network, maximised by shortest augmenting paths (Edmonds–Karp).
struct FlowGraph {
  struct Edge {
    let to: Int
    var capacity: Int
    var flow: Int
    let reverse: Int
    let forward: Bool
  }

  private var adjacency: [[Edge]]

  init(nodes: Int) { self.adjacency = Array(repeating: [], count: nodes) }

  mutating func addEdge(_ from: Int, _ to: Int, capacity: Int) {
    let forwardIndex = self.adjacency[from].count
    let reverseIndex = self.adjacency[to].count + (from == to ? 1 : 0)
    self.adjacency[from].append(Edge(to: to, capacity: capacity, flow: 0, reverse: reverseIndex, forward: true))
    self.adjacency[to].append(Edge(to: from, capacity: 0, flow: 0, reverse: forwardIndex, forward: false))
  }

  /// The forward edges out of `node`, with their flows.
  func edges(from node: Int) -> [Edge] { self.adjacency[node].filter(\.forward) }

  mutating func maximise(from source: Int, to sink: Int) {
    while true {
      var parent = [(node: Int, edge: Int)?](repeating: nil, count: self.adjacency.count)
      var queue = [source]
      var head = 0
      var reached = false
      while head < queue.count && !reached {
        let node = queue[head]
        head += 1
        for (index, edge) in self.adjacency[node].enumerated()
        where edge.capacity > edge.flow && parent[edge.to] == nil && edge.to != source {
          parent[edge.to] = (node, index)
          if edge.to == sink {
            reached = true
            break
          }
          queue.append(edge.to)
        }
      }
      guard reached else { return }
      var bottleneck = Int.max
      var node = sink
      while let (previous, index) = parent[node] {
        let edge = self.adjacency[previous][index]
        bottleneck = min(bottleneck, edge.capacity - edge.flow)
        node = previous
      }
      node = sink
      while let (previous, index) = parent[node] {
        self.adjacency[previous][index].flow += bottleneck
        let reverse = self.adjacency[previous][index].reverse
        self.adjacency[node][reverse].flow -= bottleneck
        node = previous
      }
    }
  }
}
