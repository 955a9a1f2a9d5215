import FoundationEssentials

// Records assembled from column chunks: repetition and definition levels turned back into nested JSON values.

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
