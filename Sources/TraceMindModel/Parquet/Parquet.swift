import Foundation

/// A problem reading a Parquet file: what, in words a user can act on.
public struct ParquetError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A focused Parquet reader, written from the Apache Parquet format specification (no Parquet library is available
/// to this project): file metadata in the Thrift compact protocol; data pages v1 and v2 and dictionary pages;
/// PLAIN, dictionary (PLAIN_DICTIONARY, RLE_DICTIONARY), RLE/bit-packed, DELTA_BINARY_PACKED,
/// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT encodings; UNCOMPRESSED, SNAPPY, GZIP and ZSTD
/// pages; nested groups, LIST and MAP annotations (three- and two-level lists) assembled into JSON records with
/// the Dremel repetition and definition levels; nulls; many row groups. LZO, BROTLI and LZ4 pages and encrypted
/// files are reported as unsupported.
public struct ParquetFile: Sendable {
    public let name: String
    let bytes: [UInt8]
    public let numRows: Int
    public let rowGroups: [RowGroup]
    let root: SchemaNode
    let leaves: [SchemaNode]
    /// For each leaf: the schema nodes from the root's child down to it.
    let chains: [[SchemaNode]]
    public let createdBy: String?
    public let keyValues: [String: String]

    public struct RowGroup: Sendable {
        public let numRows: Int
        let columns: [ColumnChunk]
    }

    struct ColumnChunk: Sendable {
        let leaf: Int
        let codec: Int
        let numValues: Int
        let start: Int
        let size: Int
    }

    public init(data: Data, name: String) throws(ParquetError) {
        self.name = name
        bytes = [UInt8](data)
        let n = bytes.count
        guard n >= 12 else { throw ParquetError("too short for a Parquet file (\(n) bytes)") }
        guard bytes[0..<4].elementsEqual([0x50, 0x41, 0x52, 0x31]) else { throw ParquetError("not a Parquet file (no PAR1 header)") }
        if bytes[(n - 4)..<n].elementsEqual([0x50, 0x41, 0x52, 0x45]) { throw ParquetError("encrypted Parquet files are not supported") }
        guard bytes[(n - 4)..<n].elementsEqual([0x50, 0x41, 0x52, 0x31]) else {
            throw ParquetError("no PAR1 footer: the file is truncated or not Parquet")
        }
        let metaLen = Int(bytes[n - 8]) | Int(bytes[n - 7]) << 8 | Int(bytes[n - 6]) << 16 | Int(bytes[n - 5]) << 24
        guard metaLen > 0, metaLen <= n - 12 else { throw ParquetError("the footer length (\(metaLen)) does not fit the file: truncated?") }
        var r = ThriftReader(bytes, at: n - 8 - metaLen, end: n - 8)
        let meta = try r.readStruct()
        let elements = meta.structs(2)
        guard !elements.isEmpty else { throw ParquetError("the file has no schema") }
        var idx = 0
        root = try SchemaNode.build(elements, &idx, parentDef: 0, parentRep: 0, path: [], depth: 0)
        var leaves: [SchemaNode] = []
        root.collectLeaves(&leaves)
        self.leaves = leaves
        var chains: [[SchemaNode]] = []
        for leaf in leaves {
            var chain: [SchemaNode] = []
            var n = root
            for name in leaf.path {
                guard let c = n.children.first(where: { $0.name == name }) else { break }
                chain.append(c)
                n = c
            }
            chains.append(chain)
        }
        self.chains = chains
        numRows = meta.int(3) ?? 0
        createdBy = meta.string(6)
        var kv: [String: String] = [:]
        for e in meta.structs(5) { if let k = e.string(1) { kv[k] = e.string(2) ?? "" } }
        keyValues = kv
        var groups: [RowGroup] = []
        for g in meta.structs(4) {
            var cols: [ColumnChunk] = []
            for (ci, c) in g.structs(1).enumerated() {
                guard c.string(1) == nil else { throw ParquetError("columns stored in other files are not supported") }
                guard let m = c.sub(3) else { throw ParquetError("a column chunk has no metadata") }
                let path = m[3]?.list?.compactMap(\.string) ?? []
                let leaf = leaves.firstIndex { $0.path == path } ?? (ci < leaves.count ? ci : -1)
                guard leaf >= 0 else { throw ParquetError("a column chunk names an unknown column \(path.joined(separator: "."))") }
                let dataOff = m.int(9) ?? 0
                var start = dataOff
                if let dict = m.int(11), dict > 0, dict < dataOff { start = dict }
                let size = m.int(7) ?? 0
                guard start >= 4, size >= 0, start + size <= n - 8 - metaLen else {
                    throw ParquetError("column \(path.joined(separator: ".")) lies outside the file: truncated?")
                }
                cols.append(ColumnChunk(leaf: leaf, codec: m.int(4) ?? 0, numValues: m.int(5) ?? 0, start: start, size: size))
            }
            groups.append(RowGroup(numRows: g.int(3) ?? 0, columns: cols))
        }
        rowGroups = groups
    }

    /// Column names at the top level (to tell datasets apart).
    public var topLevelColumns: [String] { root.children.map(\.name) }

    /// The records of one row group as JSON objects. Strings longer than `maxStringBytes` read as
    /// `JSONParser.elided` (for passes that need figures, not prompts). Null values are left out.
    /// `only`: assemble just that row (the columns are still decoded up to it: Parquet pages have no row index).
    public func rows(rowGroup g: Int, maxStringBytes: Int = .max, only: Int? = nil) throws(ParquetError) -> [JSON] {
        guard g >= 0, g < rowGroups.count else { throw ParquetError("\(name): no row group \(g)") }
        let rg = rowGroups[g]
        if let only, only < 0 || only >= rg.numRows { throw ParquetError("\(name): no row \(only) in row group \(g)") }
        let records = (0..<rg.numRows).map { _ in AssemblyNode() }
        for c in rg.columns {
            let leaf = leaves[c.leaf]
            let col = try ColumnReader(file: self, chunk: c, leaf: leaf, maxStringBytes: maxStringBytes).read()
            let chain = chains[c.leaf]
            try Assembler.assemble(col, chain: chain, parents: [root] + chain.dropLast(), leaf: leaf, into: records, name: name, only: only)
        }
        if let only { return [root.json(records[only]) ?? .object(JSONObject())] }
        return records.map { root.json($0) ?? .object(JSONObject()) }
    }

    /// Every record of every row group, with its (row group, row) place.
    public func forEachRow(maxStringBytes: Int = .max, _ body: (JSON, Int, Int) throws -> Void) throws {
        for g in rowGroups.indices {
            for (i, r) in try rows(rowGroup: g, maxStringBytes: maxStringBytes).enumerated() { try body(r, g, i) }
        }
    }
}

// MARK: - Schema

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
        typeLength = e.int(2) ?? 0
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

    func collectLeaves(_ out: inout [SchemaNode]) {
        if isLeaf { out.append(self) } else { for c in children { c.collectLeaves(&out) } }
    }

    /// The JSON of an assembled node (nil: absent or null).
    func json(_ n: AssemblyNode?) -> JSON? {
        guard let n else { return nil }
        if n.isNull { return nil }
        if isLeaf && repetition != 2 { return n.value }
        if repetition == 2 && !isListItemOnly {
            // A two-level list: this repeated field is itself the array.
            return .array((n.items ?? []).map { elementJSON($0) ?? .null })
        }
        if isList, children.count == 1, children[0].repetition == 2 {
            let item = children[0]
            return .array((n.items ?? []).map { item.elementJSON($0) ?? .null })
        }
        if isMap, children.count == 1, children[0].repetition == 2, children[0].children.count == 2 {
            let kv = children[0]
            var o = JSONObject()
            for it in n.items ?? [] {
                guard let k = kv.children[0].json(it.children?[0]) else { continue }
                o.set(k.text ?? "\(k)", kv.children[1].json(it.children?[1]) ?? .null)
            }
            return .object(o)
        }
        var keys: [String] = [], values: [JSON] = []
        if let ch = n.children {
            for c in children {
                if let v = c.json(ch[c.index]) {
                    keys.append(c.name)
                    values.append(v)
                }
            }
        }
        return .object(JSONObject(keys: keys, values: values))
    }

    /// Set while assembling: a repeated node that is the element container of its LIST/MAP parent.
    var isListItemOnly = false

    /// One element of an array made by this repeated node.
    func elementJSON(_ n: AssemblyNode) -> JSON? {
        if n.isNull { return nil }
        if isLeaf { return n.value }
        if children.count == 1 && !isMapEntry { return children[0].json(n.children?[0]) }
        var keys: [String] = [], values: [JSON] = []
        if let ch = n.children {
            for c in children {
                if let v = c.json(ch[c.index]) {
                    keys.append(c.name)
                    values.append(v)
                }
            }
        }
        return .object(JSONObject(keys: keys, values: values))
    }

    var isMapEntry = false
}

/// A node of a record being assembled from columns.
final class AssemblyNode {
    var isNull = false
    var value: JSON?
    var children: [AssemblyNode?]?
    var items: [AssemblyNode]?

    func child(_ i: Int, of count: Int) -> AssemblyNode {
        if children == nil { children = Array(repeating: nil, count: count) }
        if let c = children![i] { return c }
        let c = AssemblyNode()
        children![i] = c
        return c
    }
}

// MARK: - Record assembly

/// One column of a row group: repetition and definition levels, and the non-null values.
struct ColumnValues {
    var rep: [Int32]?
    var def: [Int32]?
    var values: [JSON]
    var count: Int
}

enum Assembler {
    /// Places one column's values into the records (Dremel assembly): repetition levels say which list element a
    /// value belongs to, definition levels how deep it is defined (absent deeper means null, or an empty list).
    static func assemble(_ col: ColumnValues, chain: [SchemaNode], parents: [SchemaNode], leaf: SchemaNode, into records: [AssemblyNode], name: String, only: Int? = nil) throws(ParquetError) {
        let maxRep = leaf.repLevel
        let maxDef = leaf.defLevel
        let column = leaf.path.joined(separator: ".")
        var elementIndex = [Int](repeating: -1, count: maxRep + 1)
        var record = -1
        var vi = 0
        for t in 0..<col.count {
            let r = Int(col.rep?[t] ?? 0)
            let d = Int(col.def?[t] ?? Int32(maxDef))
            guard r <= maxRep, d <= maxDef, r >= 0, d >= 0 else { throw ParquetError("\(name): column \(column) has invalid levels") }
            if r == 0 {
                record += 1
                guard record < records.count else { throw ParquetError("\(name): column \(column) has more records than its row group") }
            } else if record < 0 {
                throw ParquetError("\(name): column \(column) starts in the middle of a record")
            }
            if maxRep > 0 {
                for k in 1...maxRep {
                    if k == r { elementIndex[k] += 1 } else if k > r { elementIndex[k] = 0 }
                }
            }
            if let only, record != only {
                if d == maxDef { vi += 1 }
                continue
            }
            var cur = records[record]
            var k = 0
            while k < chain.count {
                let s = chain[k]
                let parent = parents[k]
                if s.repetition == 2 {
                    // The array lives on the LIST/MAP parent, or (two-level lists) on this field's own slot.
                    let container = s.isListItemOnly ? cur : cur.child(s.index, of: parent.children.count)
                    if container.items == nil { container.items = [] }
                    if d < s.defLevel { break }  // defined up to the list: an empty list
                    let idx = max(0, elementIndex[s.repLevel])
                    while container.items!.count <= idx { container.items!.append(AssemblyNode()) }
                    cur = container.items![idx]
                } else {
                    let next = cur.child(s.index, of: parent.children.count)
                    if d < s.defLevel {
                        next.isNull = true
                        break
                    }
                    cur = next
                }
                k += 1
            }
            if k == chain.count {
                guard vi < col.values.count else { throw ParquetError("\(name): column \(column) has fewer values than levels") }
                cur.value = col.values[vi]
                vi += 1
            }
        }
        guard record + 1 == records.count || col.count == 0 else {
            throw ParquetError("\(name): column \(column) has \(record + 1) records, its row group \(records.count)")
        }
    }
}
