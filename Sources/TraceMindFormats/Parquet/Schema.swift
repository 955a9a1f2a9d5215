import FoundationEssentials

// The file's schema as a tree: physical types, repetition, and the LIST/MAP shapes of nested columns.

enum Physical: Int, Sendable {
    case boolean = 0, int32, int64, int96, float, double, byteArray, fixedLenByteArray
}

final class SchemaNode: @unchecked Sendable {
    let name: String
    /// 0 required, 1 optional, 2 repeated.
    let repetition: Int
    let physical: Physical?
    let typeLength: Int
    let converted: Int?
    /// The LogicalType union's field id (1 STRING, 2 MAP, 3 LIST, 5 DECIMAL, 8 TIMESTAMP, 12 JSON, 14 UUID…).
    let logical: Int?
    let scale: Int
    var children: [SchemaNode] = []
    let defLevel: Int
    let repLevel: Int
    let path: [String]
    /// Index among the parent's children.
    var index = 0

    init(_ e: ThriftStruct, parentDef: Int, parentRep: Int, path: [String]) {
        name = e.string(4) ?? "?"
        repetition = e.int(3) ?? 0
        physical = e.int(1).flatMap(Physical.init(rawValue:))
        typeLength = min(max(e.int(2) ?? 0, 0), 1 << 20)
        converted = e.int(6)
        logical = e.sub(10)?.fields.keys.first.map(Int.init)
        scale = e.int(7) ?? 0
        defLevel = parentDef + (repetition == 0 ? 0 : 1)
        repLevel = parentRep + (repetition == 2 ? 1 : 0)
        self.path = path
    }

    var isLeaf: Bool { children.isEmpty && physical != nil }
    var isList: Bool { converted == 3 || logical == 3 }
    var isMap: Bool { converted == 1 || converted == 2 || logical == 2 }

    static func build(_ els: [ThriftStruct], _ i: inout Int, parentDef: Int, parentRep: Int, path: [String], depth: Int) throws(ParquetError) -> SchemaNode {
        guard i < els.count, depth < 100 else { throw ParquetError("the schema is malformed") }
        let e = els[i]
        let isRoot = depth == 0
        let name = e.string(4) ?? "?"
        let myPath = isRoot ? [] : path + [name]
        let node = SchemaNode(e, parentDef: isRoot ? 0 : parentDef, parentRep: isRoot ? 0 : parentRep, path: myPath)
        let defHere = isRoot ? 0 : node.defLevel, repHere = isRoot ? 0 : node.repLevel
        i += 1
        let n = e.int(5) ?? 0
        guard n >= 0, n <= els.count else { throw ParquetError("the schema is malformed") }
        for k in 0..<n {
            let c = try build(els, &i, parentDef: defHere, parentRep: repHere, path: myPath, depth: depth + 1)
            c.index = k
            node.children.append(c)
        }
        // The single repeated child of a LIST or MAP group holds its elements (three-level lists).
        if (node.isList || node.isMap) && node.children.count == 1 && node.children[0].repetition == 2 {
            node.children[0].isListItemOnly = true
            node.children[0].isMapEntry = node.isMap
        }
        if !isRoot && n == 0 && node.physical == nil { throw ParquetError("schema field \(name) has neither a type nor children") }
        return node
    }

    /// The leaves under this node, as indices into the file's leaves (depth-first order makes them contiguous).
    var leafRange: Range<Int> = 0..<0

    func collectLeaves(_ out: inout [SchemaNode]) {
        let start = out.count
        if isLeaf { out.append(self) } else { for c in children { c.collectLeaves(&out) } }
        leafRange = start..<out.count
    }

    /// A repeated node that is the element container of its LIST/MAP parent.
    var isListItemOnly = false

    var isMapEntry = false
}
