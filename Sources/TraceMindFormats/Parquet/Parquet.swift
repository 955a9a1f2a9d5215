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
    /// The file's bytes, read by range: the footer first, then only the column chunks a read needs.
    public let source: any ParquetBytes
    public let numRows: Int
    public let rowGroups: [RowGroup]
    let root: SchemaNode
    let plan: PlanNode
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

    /// A file held in memory.
    public init(data: Data, name: String) throws(ParquetError) {
        try self.init(source: MemoryParquetBytes([UInt8](data)), name: name)
    }

    /// Opens a file by its footer: the magic numbers and the metadata are read and checked against the file's size
    /// before anything else; column chunks are read when a row group is.
    public init(source: any ParquetBytes, name: String) throws(ParquetError) {
        self.name = name
        self.source = source
        let n = source.count
        guard n >= 12 else { throw ParquetError("too short for a Parquet file (\(n) bytes)") }
        guard try source.bytes(0..<4).elementsEqual([0x50, 0x41, 0x52, 0x31]) else { throw ParquetError("not a Parquet file (no PAR1 header)") }
        let tail = try source.bytes((n - 8)..<n)
        if tail[4..<8].elementsEqual([0x50, 0x41, 0x52, 0x45]) { throw ParquetError("encrypted Parquet files are not supported") }
        guard tail[4..<8].elementsEqual([0x50, 0x41, 0x52, 0x31]) else {
            throw ParquetError("no PAR1 footer: the file is truncated or not Parquet")
        }
        let metaLen = Int(tail[0]) | Int(tail[1]) << 8 | Int(tail[2]) << 16 | Int(tail[3]) << 24
        guard metaLen > 0, metaLen <= n - 12 else { throw ParquetError("the footer length (\(metaLen)) does not fit the file: truncated?") }
        let metaBytes = try source.bytes((n - 8 - metaLen)..<(n - 8))
        var r = ThriftReader(metaBytes, at: 0, end: metaLen)
        let meta = try r.readStruct()
        let elements = meta.structs(2)
        guard !elements.isEmpty else { throw ParquetError("the file has no schema") }
        var idx = 0
        root = try SchemaNode.build(elements, &idx, parentDef: 0, parentRep: 0, path: [], depth: 0)
        var leaves: [SchemaNode] = []
        root.collectLeaves(&leaves)
        self.leaves = leaves
        plan = PlanNode(root)
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
                let values = m.int(5) ?? 0
                guard values >= 0 else { throw ParquetError("column \(path.joined(separator: ".")) claims \(values) values: the metadata is damaged") }
                cols.append(ColumnChunk(leaf: leaf, codec: m.int(4) ?? 0, numValues: values, start: start, size: size))
            }
            let rows = g.int(3) ?? 0
            guard rows >= 0, rows <= ColumnReader.maxValuesPerPage else { throw ParquetError("a row group claims \(rows) rows: the metadata is damaged") }
            groups.append(RowGroup(numRows: rows, columns: cols))
        }
        rowGroups = groups
    }

    /// Column names at the top level (to tell datasets apart).
    public var topLevelColumns: [String] { root.children.map(\.name) }

    /// The records of one row group as JSON objects. Strings longer than `maxStringBytes` read as
    /// `JSONParser.elided` (for passes that need figures, not prompts). Null values are left out.
    /// `only`: assemble just that row (the columns are still decoded up to it: Parquet pages have no row index).
    /// Columns are decoded on all cores, then records are assembled on all cores in chunks of rows.
    public func rows(rowGroup g: Int, maxStringBytes: Int = .max, only: Int? = nil) throws(ParquetError) -> [JSON] {
        try mapRows(rowGroup: g, maxStringBytes: maxStringBytes, only: only) { r, _ in r }
    }

    /// `rows`, with each record transformed by the worker that assembled it (`transform` gets the record and its row
    /// index in the row group); nil results are dropped.
    public func mapRows<T>(
        rowGroup g: Int, maxStringBytes: Int = .max, only: Int? = nil, _ transform: (JSON, Int) -> T?
    ) throws(ParquetError) -> [T] {
        guard g >= 0, g < rowGroups.count else { throw ParquetError("\(name): no row group \(g)") }
        let rg = rowGroups[g]
        let n = rg.numRows
        if let only, only < 0 || only >= n { throw ParquetError("\(name): no row \(only) in row group \(g)") }
        guard n > 0 else { return [] }
        let cols = rg.columns
        // A small row group (a results or metrics dataset) is read on this thread: waking the other cores costs more
        // than its work.
        let small = cols.reduce(0) { $0 + $1.size } < 1 << 16
        // Chunks of rows; each column's level and value positions where every chunk starts.
        let range = only.map { $0..<($0 + 1) } ?? 0..<n
        let chunkCount = only == nil && !small ? min(n, max(1, ProcessInfo.processInfo.activeProcessorCount) * 4) : 1
        let cuts = (0...chunkCount).map { range.lowerBound + $0 * range.count / chunkCount }
        // Each column decoded, its chunk positions found and its levels and values moved into memory of its own, all
        // in one work item: nothing of this runs on one core alone.
        let decoded = Parallel.map(cols.count, progress: nil, isCancelled: nil, eachAlone: true, serial: small) { i -> RecordSlot<LeafColumn> in
            let leaf = leaves[cols[i].leaf]
            do throws(ParquetError) {
                var c = try ColumnReader(file: self, chunk: cols[i], leaf: leaf, maxStringBytes: maxStringBytes).read()
                let starts = try RecordReader.positions(c, leaf: leaf, rows: n, cuts: cuts, name: name)
                return .value(LeafColumn(taking: &c, maxDef: Int32(leaf.defLevel), starts: starts))
            } catch { return .failed(error.message) }
        }
        var byLeaf = [LeafColumn?](repeating: nil, count: leaves.count)
        for (c, d) in decoded.enumerated() {
            switch d {
            case .value(let v): byLeaf[cols[c].leaf] = v
            case .failed(let m): throw ParquetError(m)
            case .empty: throw ParquetError("\(name): a column could not be read")
            }
        }
        // A leaf with no column chunk reads as null in every row.
        for l in leaves.indices where byLeaf[l] == nil {
            var nulls = ColumnValues(rep: nil, def: [Int32](repeating: 0, count: n), values: [], count: n)
            byLeaf[l] = LeafColumn(taking: &nulls, maxDef: Int32(leaves[l].defLevel), starts: cuts.map { ($0 < n ? $0 : n, 0) })
        }
        let table = LevelTable(byLeaf.map { $0! }, leaves: leaves)
        let plan = self.plan
        let out = Parallel.map(chunkCount, progress: nil, isCancelled: nil) { k -> RecordSlot<[T]> in
            let reader = RecordReader(table: table, chunk: k, name: name)
            let plan = chunkCount > 1 ? plan.copy() : plan
            var records: [T] = []
            records.reserveCapacity(cuts[k + 1] - cuts[k])
            do throws(ParquetError) {
                for row in cuts[k]..<cuts[k + 1] {
                    if let t = transform(try reader.object(plan), row) { records.append(t) }
                }
                for l in leaves.indices where reader.level[l] != table.columns[l].starts[k + 1].level {
                    throw ParquetError("\(name): column \(leaves[l].path.joined(separator: ".")) does not match the others' records")
                }
            } catch { return .failed(error.message) }
            return .value(records)
        }
        var result: [T] = []
        result.reserveCapacity(range.count)
        for o in out {
            switch o {
            case .value(let v): result += v
            case .failed(let m): throw ParquetError(m)
            case .empty: break
            }
        }
        return result
    }

    /// Every record of every row group, with its (row group, row) place.
    public func forEachRow(maxStringBytes: Int = .max, _ body: (JSON, Int, Int) throws -> Void) throws {
        for g in rowGroups.indices {
            for (i, r) in try rows(rowGroup: g, maxStringBytes: maxStringBytes).enumerated() { try body(r, g, i) }
        }
    }
}

/// Where a Parquet file's bytes come from.
public protocol ParquetBytes: Sendable {
    var count: Int { get }
    /// Exactly the bytes of `range`, or an error saying why they cannot be had.
    func bytes(_ range: Range<Int>) throws(ParquetError) -> [UInt8]
}

/// A Parquet file held in memory.
public struct MemoryParquetBytes: ParquetBytes {
    let storage: [UInt8]
    public init(_ bytes: [UInt8]) { storage = bytes }
    public var count: Int { storage.count }
    public func bytes(_ range: Range<Int>) throws(ParquetError) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= storage.count else { throw ParquetError("a read past the end of the file") }
        return Array(storage[range])
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

// MARK: - Record assembly

/// One column of a row group: repetition and definition levels, and the non-null values.
struct ColumnValues {
    var rep: [Int32]?
    var def: [Int32]?
    var values: [JSON]
    var count: Int
}

/// The schema as the record reader walks it: immutable, with each node's leaves and how it reads.
final class PlanNode: @unchecked Sendable {
    let name: String
    let isLeaf: Bool
    let isOptional: Bool
    let isRepeated: Bool
    /// A LIST or MAP group whose single repeated child holds the elements.
    let isListWrapper: Bool
    let isMap: Bool
    let isMapEntry: Bool
    let defLevel: Int
    let repLevel: Int
    let first: Int
    let leafRange: Range<Int>
    let children: [PlanNode]

    /// The same plan with names in storage of its own: workers assembling records side by side each use a copy,
    /// so the keys they put in records are not one shared string whose reference count both cores keep updating.
    func copy() -> PlanNode { PlanNode(copying: self) }

    private init(copying o: PlanNode) {
        name = String(decoding: Array(o.name.utf8), as: UTF8.self)
        isLeaf = o.isLeaf
        isOptional = o.isOptional
        isRepeated = o.isRepeated
        isListWrapper = o.isListWrapper
        isMap = o.isMap
        isMapEntry = o.isMapEntry
        defLevel = o.defLevel
        repLevel = o.repLevel
        first = o.first
        leafRange = o.leafRange
        children = o.children.map { $0.copy() }
    }

    init(_ n: SchemaNode) {
        name = n.name
        isLeaf = n.isLeaf
        isOptional = n.repetition == 1
        isRepeated = n.repetition == 2
        isListWrapper = (n.isList || n.isMap) && n.children.count == 1 && n.children[0].repetition == 2
        isMap = n.isMap && isListWrapper && n.children[0].children.count == 2
        isMapEntry = n.isMapEntry && n.children.count == 2
        defLevel = n.defLevel
        repLevel = n.repLevel
        first = n.leafRange.lowerBound
        leafRange = n.leafRange
        children = n.children.map(PlanNode.init)
    }
}

/// One leaf column of a row group in memory of its own: levels (a required leaf's definition levels all at the
/// maximum, a non-repeated leaf's repetition levels all 0), its non-null values, and where each chunk of rows starts.
final class LeafColumn: @unchecked Sendable {
    let defs: UnsafeMutableBufferPointer<Int32>
    let reps: UnsafeMutableBufferPointer<Int32>
    let values: UnsafeMutableBufferPointer<JSON>
    let count: Int
    let maxDef: Int32
    let starts: [(level: Int, value: Int)]

    /// Takes the column's values (moved: no reference counting per value); those left in `c` are nulls.
    init(taking c: inout ColumnValues, maxDef: Int32, starts: [(level: Int, value: Int)]) {
        let n = c.count
        count = n
        self.maxDef = maxDef
        self.starts = starts
        let defs = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, n))
        let reps = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, n))
        // The readers checked every page has as many levels as values.
        if let d = c.def, d.count >= n {
            d.withUnsafeBufferPointer { _ = UnsafeMutableBufferPointer(rebasing: defs[0..<n]).initialize(from: $0.prefix(n)) }
        } else {
            UnsafeMutableBufferPointer(rebasing: defs[0..<n]).initialize(repeating: maxDef)
        }
        if let r = c.rep, r.count >= n {
            r.withUnsafeBufferPointer { _ = UnsafeMutableBufferPointer(rebasing: reps[0..<n]).initialize(from: $0.prefix(n)) }
        } else {
            UnsafeMutableBufferPointer(rebasing: reps[0..<n]).initialize(repeating: 0)
        }
        let k = c.values.count
        let values = UnsafeMutableBufferPointer<JSON>.allocate(capacity: max(1, k))
        c.values.withUnsafeMutableBufferPointer { source in
            _ = UnsafeMutableBufferPointer(rebasing: values[0..<k]).moveInitialize(fromContentsOf: source)
            source.initialize(repeating: .null)  // what the array will destroy: nothing to release
        }
        self.defs = defs
        self.reps = reps
        self.values = UnsafeMutableBufferPointer(rebasing: values[0..<k])
    }

    deinit {
        values.deinitialize()
        values.baseAddress.map { $0.deallocate() }
        defs.deallocate()
        reps.deallocate()
    }
}

/// The leaf columns of one row group, indexed by leaf, for the record reader.
final class LevelTable: @unchecked Sendable {
    let columns: [LeafColumn]
    let leaves: [SchemaNode]
    init(_ columns: [LeafColumn], leaves: [SchemaNode]) {
        self.columns = columns
        self.leaves = leaves
    }
}

/// Builds records from the columns of a row group by walking the schema (record assembly): each leaf column has a
/// cursor; repetition levels tell where a list goes on, definition levels how deep a value is defined.
final class RecordReader {
    let table: LevelTable
    let level: UnsafeMutableBufferPointer<Int>
    let value: UnsafeMutableBufferPointer<Int>
    /// Per leaf, copied from the table's columns so that reading a level or a value is two loads.
    let defs: UnsafeMutableBufferPointer<UnsafeMutablePointer<Int32>>
    let reps: UnsafeMutableBufferPointer<UnsafeMutablePointer<Int32>>
    let values: UnsafeMutableBufferPointer<UnsafeMutablePointer<JSON>?>
    let count: UnsafeMutableBufferPointer<Int>
    let valueCount: UnsafeMutableBufferPointer<Int>
    let maxDef: UnsafeMutableBufferPointer<Int32>
    let name: String

    /// A reader of the records of chunk `chunk` (its cursors start where that chunk starts in every column).
    init(table: LevelTable, chunk: Int, name: String) {
        self.table = table
        self.name = name
        let n = max(1, table.columns.count)
        level = .allocate(capacity: n)
        value = .allocate(capacity: n)
        defs = .allocate(capacity: n)
        reps = .allocate(capacity: n)
        values = .allocate(capacity: n)
        count = .allocate(capacity: n)
        valueCount = .allocate(capacity: n)
        maxDef = .allocate(capacity: n)
        for (l, c) in table.columns.enumerated() {
            level[l] = c.starts[chunk].level
            value[l] = c.starts[chunk].value
            defs[l] = c.defs.baseAddress!
            reps[l] = c.reps.baseAddress!
            values[l] = c.values.baseAddress
            count[l] = c.count
            valueCount[l] = c.values.count
            maxDef[l] = c.maxDef
        }
    }

    deinit {
        for b in [level, value, count, valueCount] { b.deallocate() }
        defs.deallocate()
        reps.deallocate()
        values.deallocate()
        maxDef.deallocate()
    }

    /// For each row in `cuts` (ascending; the last may be the row count), where its levels and values start in the
    /// column. Checks the column has exactly `rows` records.
    static func positions(_ col: ColumnValues, leaf: SchemaNode, rows: Int, cuts: [Int], name: String) throws(ParquetError) -> [(level: Int, value: Int)] {
        let maxDef = Int32(leaf.defLevel)
        let column = leaf.path.joined(separator: ".")
        var out: [(level: Int, value: Int)] = []
        out.reserveCapacity(cuts.count)
        var next = 0
        var record = -1
        var vi = 0
        for t in 0..<col.count {
            if (col.rep?[t] ?? 0) == 0 {
                record += 1
                while next < cuts.count && cuts[next] == record {
                    out.append((t, vi))
                    next += 1
                }
            } else if record < 0 {
                throw ParquetError("\(name): column \(column) starts in the middle of a record")
            }
            if (col.def?[t] ?? maxDef) == maxDef { vi += 1 }
        }
        guard record + 1 == rows else { throw ParquetError("\(name): column \(column) has \(record + 1) records, its row group \(rows)") }
        guard vi <= col.values.count else { throw ParquetError("\(name): column \(column) has fewer values than levels") }
        while next < cuts.count {
            out.append((col.count, vi))
            next += 1
        }
        return out
    }

    func fail(_ l: Int, _ what: String) -> ParquetError {
        ParquetError("\(name): column \(table.leaves[l].path.joined(separator: ".")) \(what)")
    }

    /// The definition level at a leaf's cursor.
    @inline(__always)
    func def(_ l: Int) throws(ParquetError) -> Int32 {
        let t = level[l]
        guard t < count[l] else { throw fail(l, "ends before its records do") }
        let d = defs[l][t]
        guard d >= 0, d <= maxDef[l] else { throw fail(l, "has invalid levels") }
        return d
    }

    /// Moves past one null or empty entry of every leaf under `node`.
    func skip(_ node: PlanNode) {
        for l in node.leafRange { level[l] += 1 }
    }

    func object(_ node: PlanNode) throws(ParquetError) -> JSON {
        var keys: [String] = [], values: [JSON] = []
        // A struct of the union of every span's attribute names is mostly nulls: room for a few, growing as needed.
        keys.reserveCapacity(min(node.children.count, 16))
        values.reserveCapacity(min(node.children.count, 16))
        for c in node.children {
            if let v = try read(c) {
                keys.append(c.name)
                values.append(v)
            }
        }
        return .object(JSONObject(keys: keys, values: values))
    }

    func leaf(_ node: PlanNode) throws(ParquetError) -> JSON? {
        let l = node.first
        let d = try def(l)
        level[l] += 1
        guard d == maxDef[l] else { return nil }
        let vi = value[l]
        guard vi < valueCount[l] else { throw fail(l, "has fewer values than levels") }
        value[l] = vi + 1
        // Each value belongs to exactly one record and is read once: taken, not copied (no reference count
        // traffic on strings that every row of a dictionary-encoded column shares).
        let slot = values[l]! + vi
        let v = slot.move()
        slot.initialize(to: .null)
        return v
    }

    /// The value of a (non-repeated, or two-level repeated) field; nil when null.
    func read(_ node: PlanNode) throws(ParquetError) -> JSON? {
        if node.isRepeated { return .array(try repeated(node)) }
        if node.isLeaf { return try leaf(node) }
        if node.isOptional, try def(node.first) < Int32(node.defLevel) {
            skip(node)
            return nil
        }
        if node.isListWrapper {
            let items = try repeated(node.children[0])
            guard node.isMap else { return .array(items) }
            var o = JSONObject()
            for it in items {
                guard case .array(let kv) = it, kv.count == 2, !kv[0].isNull else { continue }
                o.set(kv[0].text ?? "\(kv[0])", kv[1])
            }
            return .object(o)
        }
        return try object(node)
    }

    /// The elements of a repeated node (empty when its parent is defined but the list is empty).
    func repeated(_ node: PlanNode) throws(ParquetError) -> [JSON] {
        let first = node.first
        if try def(first) < Int32(node.defLevel) {
            skip(node)
            return []
        }
        var items: [JSON] = []
        let rep = Int32(node.repLevel)
        let base = reps[first], n = count[first]
        while true {
            items.append(try element(node) ?? .null)
            let t = level[first]
            guard t < n, base[t] == rep else { break }
        }
        return items
    }

    /// One element of a repeated node: a value, the single child of a list, a map entry as [key, value], or a struct.
    func element(_ node: PlanNode) throws(ParquetError) -> JSON? {
        if node.isLeaf { return try leaf(node) }
        if node.isMapEntry { return .array([try read(node.children[0]) ?? .null, try read(node.children[1]) ?? .null]) }
        if node.children.count == 1 { return try read(node.children[0]) }
        return try object(node)
    }
}

/// A Parquet file on a file system, read by range.
public struct FileParquetBytes: ParquetBytes {
    let fs: any DataFileSystem
    let path: String
    public let count: Int
    public init(fs: any DataFileSystem, path: String) throws(ParquetError) {
        self.fs = fs
        self.path = path
        guard let size = fs.fileSize(path) else { throw ParquetError("the file is gone") }
        count = size
    }
    public func bytes(_ range: Range<Int>) throws(ParquetError) -> [UInt8] {
        do { return try fs.readRange(path, range) } catch { throw ParquetError("\(error)") }
    }
}
