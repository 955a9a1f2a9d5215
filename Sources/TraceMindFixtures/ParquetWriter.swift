import Foundation
import TraceMindFormats
import TraceMindModel

/// Writes JSON records as a Parquet file shaped like the one `datasets.Dataset.from_list(...).push_to_hub` makes: the
/// column set is the union of the records' keys, objects become structs (the union of their keys), arrays become
/// three-level LIST groups, missing values are nulls. For the project's own fixtures and benchmarks: it exercises
/// the reader's page versions, encodings, codecs, nesting and row groups.
public struct ParquetWriter {
    /// `lz4Raw` writes pages uncompressed under the LZ4_RAW codec id: for testing that readers refuse it.
    public enum Codec: Int, Sendable { case uncompressed = 0, snappy = 1, gzip = 2, zstd = 6, lz4Raw = 7 }

    public struct Options {
        public var codec: Codec = .snappy
        /// Data page version 1 or 2.
        public var pageVersion = 1
        /// Dictionary-encode string columns (as pyarrow does by default).
        public var dictionary = true
        /// Rows per row group.
        public var rowGroupRows = 1 << 20
        /// Level entries per data page (a column chunk gets several pages when it has more).
        public var pageValues = 20_000
        /// Compress pages with this instead of the built-in encoder of `codec` (e.g. the real `zstd` tool, in tests).
        public var compressor: (([UInt8]) -> [UInt8])?
        public init() {}
    }

    /// The Arrow-like type of a column, inferred from the records.
    indirect enum ValueType: Equatable {
        case null, bool, int, double, string
        case list(ValueType)
        case object([(String, ValueType)])

        static func == (a: ValueType, b: ValueType) -> Bool {
            switch (a, b) {
            case (.null, .null), (.bool, .bool), (.int, .int), (.double, .double), (.string, .string): return true
            case (.list(let x), .list(let y)): return x == y
            case (.object(let x), .object(let y)): return x.map(\.0) == y.map(\.0) && zip(x, y).allSatisfy { $0.1 == $1.1 }
            default: return false
            }
        }

        static func of(_ v: JSON) -> ValueType {
            switch v {
            case .null: return .null
            case .bool: return .bool
            case .int: return .int
            case .double: return .double
            case .string: return .string
            case .array(let a): return .list(a.reduce(ValueType.null) { merge($0, of($1)) })
            case .object(let o): return .object(o.keys.map { ($0, of(o[$0]!)) })
            }
        }

        static func merge(_ a: ValueType, _ b: ValueType) -> ValueType {
            switch (a, b) {
            case (.null, _): return b
            case (_, .null): return a
            case (.int, .double), (.double, .int): return .double
            case (.list(let x), .list(let y)): return .list(merge(x, y))
            case (.object(let x), .object(let y)):
                var out = x
                for (k, t) in y {
                    if let i = out.firstIndex(where: { $0.0 == k }) { out[i].1 = merge(out[i].1, t) } else { out.append((k, t)) }
                }
                return .object(out)
            default: return a == b ? a : .string
            }
        }
    }

    /// A schema node with its levels.
    final class Node {
        let name: String
        let type: ValueType
        let repetition: Int  // 0 required, 1 optional, 2 repeated
        var children: [Node] = []
        let def: Int
        let rep: Int
        var leafIndex = -1
        init(_ name: String, _ type: ValueType, repetition: Int, parentDef: Int, parentRep: Int) {
            self.name = name
            self.type = type
            self.repetition = repetition
            def = parentDef + (repetition == 0 ? 0 : 1)
            rep = parentRep + (repetition == 2 ? 1 : 0)
            switch type {
            case .object(let fields):
                children = fields.map { Node($0.0, $0.1, repetition: 1, parentDef: def, parentRep: rep) }
            case .list(let item):
                let list = Node("list", .object([]), repetition: 2, parentDef: def, parentRep: rep)
                list.children = [Node("element", item, repetition: 1, parentDef: list.def, parentRep: list.rep)]
                children = [list]
            default: break
            }
        }
        var isLeaf: Bool { children.isEmpty && !isGroupType }
        var isGroupType: Bool {
            switch type {
            case .object, .list: return true
            default: return repetition == 2
            }
        }
    }

    /// One leaf column's levels and values while shredding.
    struct Column {
        var rep: [Int] = []
        var def: [Int] = []
        var values: [JSON] = []
    }

    public static func write(_ records: [JSON], options: Options = Options(), metadata: [String: String] = [:]) -> Data {
        var columns: [(String, ValueType)] = []
        for r in records {
            guard let o = r.objectValue else { continue }
            for k in o.keys {
                let t = ValueType.of(o[k]!)
                if let i = columns.firstIndex(where: { $0.0 == k }) { columns[i].1 = ValueType.merge(columns[i].1, t) } else { columns.append((k, t)) }
            }
        }
        let root = Node("schema", .object(columns), repetition: 0, parentDef: 0, parentRep: 0)
        var leaves: [(Node, [String])] = []
        func collect(_ n: Node, _ path: [String]) {
            for c in n.children {
                if c.isLeaf {
                    c.leafIndex = leaves.count
                    leaves.append((c, path + [c.name]))
                } else {
                    collect(c, path + [c.name])
                }
            }
        }
        collect(root, [])

        var out: [UInt8] = Array("PAR1".utf8)
        var rowGroups: [ThriftOut] = []
        var start = 0
        while start < records.count || (records.isEmpty && rowGroups.isEmpty) {
            let end = min(records.count, start + max(1, options.rowGroupRows))
            var cols = [Column](repeating: Column(), count: leaves.count)
            for r in records[start..<end] {
                let o = r.objectValue ?? JSONObject()
                for c in root.children { shred(c, o[c.name], rep: 0, def: 0, into: &cols) }
            }
            var chunks: [ThriftOut] = []
            var groupBytes = 0
            for (i, (leaf, path)) in leaves.enumerated() {
                let (chunk, size) = writeChunk(leaf, path: path, cols[i], options: options, at: &out)
                chunks.append(chunk)
                groupBytes += size
            }
            var g = ThriftOut()
            g.list(1, chunks)
            g.i64(2, Int64(groupBytes))
            g.i64(3, Int64(end - start))
            rowGroups.append(g)
            start = end
            if records.isEmpty { break }
        }

        var schema: [ThriftOut] = []
        func element(_ n: Node) {
            var e = ThriftOut()
            if n.isLeaf {
                let (physical, converted, logical) = physicalType(n.type)
                e.i32(1, Int32(physical))
                e.i32(3, Int32(n.repetition))
                e.string(4, n.name)
                if let converted { e.i32(6, Int32(converted)) }
                if let logical {
                    var l = ThriftOut()
                    l.structField(Int16(logical), ThriftOut())
                    e.structField(10, l)
                }
            } else {
                if n !== root { e.i32(3, Int32(n.repetition)) }
                e.string(4, n.name)
                e.i32(5, Int32(n.children.count))
                if case .list = n.type {
                    e.i32(6, 3)
                    var l = ThriftOut()
                    l.structField(3, ThriftOut())
                    e.structField(10, l)
                }
            }
            schema.append(e)
            for c in n.children { element(c) }
        }
        element(root)
        var meta = ThriftOut()
        meta.i32(1, 2)
        meta.list(2, schema)
        meta.i64(3, Int64(records.count))
        meta.list(4, rowGroups)
        if !metadata.isEmpty {
            meta.list(5, metadata.sorted { $0.key < $1.key }.map { kv in
                var t = ThriftOut()
                t.string(1, kv.key)
                t.string(2, kv.value)
                return t
            })
        }
        meta.string(6, "tracemind-demo parquet writer")
        let footer = meta.finish()
        out += footer
        let n = UInt32(footer.count)
        out += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24 & 0xFF)]
        out += Array("PAR1".utf8)
        return Data(out)
    }

    /// (physical type, converted type, logical type union id)
    static func physicalType(_ t: ValueType) -> (Int, Int?, Int?) {
        switch t {
        case .bool: return (0, nil, nil)
        case .int: return (2, nil, nil)
        case .double: return (5, nil, nil)
        case .string: return (6, 0, 1)
        default: return (1, nil, 4)  // all-null column: INT32 with the NULL logical type, as Arrow writes it
        }
    }

    /// Dremel shredding: the value at `node`, reached with repetition level `rep` and defined down to `def`.
    static func shred(_ node: Node, _ value: JSON?, rep: Int, def: Int, into cols: inout [Column]) {
        let v: JSON? = (value == nil || value!.isNull) ? nil : value
        if node.isLeaf {
            cols[node.leafIndex].rep.append(rep)
            if let v {
                cols[node.leafIndex].def.append(node.def)
                cols[node.leafIndex].values.append(v)
            } else {
                cols[node.leafIndex].def.append(def)
            }
            return
        }
        guard let v else {
            nullAll(node, rep: rep, def: def, into: &cols)
            return
        }
        switch node.type {
        case .list:
            let list = node.children[0]
            let items = v.arrayValue ?? [v]
            if items.isEmpty {
                nullAll(node, rep: rep, def: node.def, into: &cols)
                return
            }
            for (i, item) in items.enumerated() {
                shred(list.children[0], item, rep: i == 0 ? rep : list.rep, def: list.def, into: &cols)
            }
        default:
            let o = v.objectValue ?? JSONObject()
            for c in node.children { shred(c, o[c.name], rep: rep, def: node.def, into: &cols) }
        }
    }

    static func nullAll(_ node: Node, rep: Int, def: Int, into cols: inout [Column]) {
        if node.isLeaf {
            cols[node.leafIndex].rep.append(rep)
            cols[node.leafIndex].def.append(def)
            return
        }
        for c in node.children { nullAll(c, rep: rep, def: def, into: &cols) }
    }

    // MARK: Pages

    static func writeChunk(_ leaf: Node, path: [String], _ col: Column, options: Options, at out: inout [UInt8]) -> (ThriftOut, Int) {
        let (physical, _, _) = physicalType(leaf.type)
        let start = out.count
        var dictOffset: Int?
        var dictIndex: [String: Int] = [:]
        var useDict = false
        var uncompressedTotal = 0
        if options.dictionary, case .string = leaf.type, !col.values.isEmpty {
            var dict: [String] = []
            for v in col.values {
                let s = text(v)
                if dictIndex[s] == nil {
                    dictIndex[s] = dict.count
                    dict.append(s)
                }
            }
            useDict = true
            var body: [UInt8] = []
            for s in dict { plain(.string(s), .string, into: &body) }
            dictOffset = out.count
            var dh = ThriftOut()
            dh.i32(1, Int32(dict.count))
            dh.i32(2, 0)
            page(type: 2, body, header: (7, dh), options, into: &out, total: &uncompressedTotal)
        }
        let dataOffset = out.count
        let n = col.rep.count
        var lo = 0
        var vi = 0
        while lo < n || n == 0 {
            // Pages end on record boundaries (repetition level 0), as readers that index rows expect.
            var hi = min(n, lo + max(1, options.pageValues))
            while hi < n && col.rep[hi] != 0 { hi += 1 }
            let reps = Array(col.rep[lo..<hi]), defs = Array(col.def[lo..<hi])
            let present = defs.filter { $0 == leaf.def }.count
            let vals = Array(col.values[vi..<(vi + present)])
            vi += present
            var valueBytes: [UInt8] = []
            if useDict {
                let bw = max(1, bitWidth(max(0, dictIndex.count - 1)))
                valueBytes.append(UInt8(bw))
                valueBytes += bitPacked(vals.map { dictIndex[text($0)]! }, width: bw)
            } else {
                if case .bool = leaf.type {
                    var bits = [UInt8](repeating: 0, count: (vals.count + 7) / 8)
                    for (i, v) in vals.enumerated() where v == .bool(true) { bits[i / 8] |= 1 << UInt8(i % 8) }
                    valueBytes = bits
                } else {
                    for v in vals { plain(v, leaf.type, into: &valueBytes) }
                }
            }
            let repBytes = leaf.rep > 0 ? rle(reps, width: bitWidth(leaf.rep)) : []
            let defBytes = leaf.def > 0 ? rle(defs, width: bitWidth(leaf.def)) : []
            let encoding: Int32 = useDict ? 8 : 0
            if options.pageVersion == 2 {
                // v2: levels stay uncompressed, outside the compressed values.
                let compressed = compress(valueBytes, options)
                var h = ThriftOut()
                var d = ThriftOut()
                d.i32(1, Int32(hi - lo))
                d.i32(2, Int32(hi - lo - present))
                d.i32(3, Int32(reps.filter { $0 == 0 }.count))
                d.i32(4, encoding)
                d.i32(5, Int32(defBytes.count))
                d.i32(6, Int32(repBytes.count))
                if options.codec == .uncompressed { d.bool(7, false) }
                h.i32(1, 3)
                h.i32(2, Int32(repBytes.count + defBytes.count + valueBytes.count))
                h.i32(3, Int32(repBytes.count + defBytes.count + compressed.count))
                h.structField(8, d)
                out += h.finish()
                out += repBytes + defBytes + compressed
                uncompressedTotal += repBytes.count + defBytes.count + valueBytes.count
            } else {
                var body: [UInt8] = []
                if leaf.rep > 0 { body += le32(repBytes.count) + repBytes }
                if leaf.def > 0 { body += le32(defBytes.count) + defBytes }
                body += valueBytes
                var d = ThriftOut()
                d.i32(1, Int32(hi - lo))
                d.i32(2, encoding)
                d.i32(3, 3)
                d.i32(4, 3)
                page(type: 0, body, header: (5, d), options, into: &out, total: &uncompressedTotal)
            }
            lo = hi
            if n == 0 { break }
        }
        var m = ThriftOut()
        m.i32(1, Int32(physical))
        m.i32List(2, useDict ? [0, 3, 8] : [0, 3])
        m.stringList(3, path)
        m.i32(4, Int32(options.codec.rawValue))
        m.i64(5, Int64(n))
        m.i64(6, Int64(uncompressedTotal))
        m.i64(7, Int64(out.count - start))
        m.i64(9, Int64(dataOffset))
        if let dictOffset { m.i64(11, Int64(dictOffset)) }
        var c = ThriftOut()
        c.i64(2, Int64(start))
        c.structField(3, m)
        return (c, out.count - start)
    }

    /// A compressed page (dictionary or data v1) with its header.
    static func page(type: Int32, _ body: [UInt8], header: (Int16, ThriftOut), _ o: Options, into out: inout [UInt8], total: inout Int) {
        let compressed = compress(body, o)
        var h = ThriftOut()
        h.i32(1, type)
        h.i32(2, Int32(body.count))
        h.i32(3, Int32(compressed.count))
        h.structField(header.0, header.1)
        out += h.finish()
        out += compressed
        total += body.count
    }

    static func compress(_ b: [UInt8], _ o: Options) -> [UInt8] {
        if let f = o.compressor { return f(b) }
        switch o.codec {
        case .uncompressed, .lz4Raw: return b
        case .snappy: return Snappy.compress(b)
        case .gzip: return Gzip.compress(b)
        case .zstd: return Zstd.compress(b)
        }
    }

    static func text(_ v: JSON) -> String {
        if case .string(let s) = v { return s }
        return v.text ?? JSONWriter.string(v, pretty: false)
    }

    static func plain(_ v: JSON, _ t: ValueType, into out: inout [UInt8]) {
        switch t {
        case .int:
            let x = UInt64(bitPattern: v.int64 ?? 0)
            for k in 0..<8 { out.append(UInt8(x >> (8 * UInt64(k)) & 0xFF)) }
        case .double:
            let x = (v.number ?? 0).bitPattern
            for k in 0..<8 { out.append(UInt8(x >> (8 * UInt64(k)) & 0xFF)) }
        default:
            let s = Array(text(v).utf8)
            out += le32(s.count) + s
        }
    }

    static func le32(_ n: Int) -> [UInt8] {
        [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24 & 0xFF)]
    }

    static func bitWidth(_ max: Int) -> Int {
        var w = 0
        while (1 << w) <= max { w += 1 }
        return w
    }

    /// RLE runs of the hybrid encoding (levels).
    static func rle(_ values: [Int], width: Int) -> [UInt8] {
        var out: [UInt8] = []
        let bytes = (width + 7) / 8
        var i = 0
        while i < values.count {
            var j = i
            while j < values.count && values[j] == values[i] { j += 1 }
            var header = (j - i) << 1
            while header >= 0x80 {
                out.append(UInt8(header & 0x7F | 0x80))
                header >>= 7
            }
            out.append(UInt8(header))
            for k in 0..<bytes { out.append(UInt8(values[i] >> (8 * k) & 0xFF)) }
            i = j
        }
        return out
    }

    /// One bit-packed run of the hybrid encoding (dictionary indices), padded to a multiple of 8 values.
    static func bitPacked(_ values: [Int], width: Int) -> [UInt8] {
        let groups = (values.count + 7) / 8
        var out: [UInt8] = []
        var header = groups << 1 | 1
        while header >= 0x80 {
            out.append(UInt8(header & 0x7F | 0x80))
            header >>= 7
        }
        out.append(UInt8(header))
        var packed = [UInt8](repeating: 0, count: groups * width)
        for (i, v) in values.enumerated() {
            for b in 0..<width where v & (1 << b) != 0 {
                let bit = i * width + b
                packed[bit / 8] |= 1 << UInt8(bit % 8)
            }
        }
        return out + packed
    }
}

/// A Thrift compact-protocol struct being written.
struct ThriftOut {
    var bytes: [UInt8] = []
    var last: Int16 = 0

    mutating func header(_ id: Int16, _ type: UInt8) {
        let delta = id - last
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type)
        } else {
            bytes.append(type)
            varint(UInt64(bitPattern: Int64((Int64(id) << 1) ^ (Int64(id) >> 63))))
        }
        last = id
    }

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    mutating func i32(_ id: Int16, _ v: Int32) {
        header(id, 5)
        zigzag(Int64(v))
    }

    mutating func i64(_ id: Int16, _ v: Int64) {
        header(id, 6)
        zigzag(v)
    }

    mutating func bool(_ id: Int16, _ v: Bool) { header(id, v ? 1 : 2) }

    mutating func string(_ id: Int16, _ s: String) {
        header(id, 8)
        let b = Array(s.utf8)
        varint(UInt64(b.count))
        bytes += b
    }

    mutating func structField(_ id: Int16, _ s: ThriftOut) {
        header(id, 12)
        bytes += s.finish()
    }

    mutating func listHeader(_ n: Int, _ type: UInt8) {
        if n < 15 {
            bytes.append(UInt8(n) << 4 | type)
        } else {
            bytes.append(0xF0 | type)
            varint(UInt64(n))
        }
    }

    mutating func list(_ id: Int16, _ items: [ThriftOut]) {
        header(id, 9)
        listHeader(items.count, 12)
        for it in items { bytes += it.finish() }
    }

    mutating func i32List(_ id: Int16, _ items: [Int32]) {
        header(id, 9)
        listHeader(items.count, 5)
        for v in items { zigzag(Int64(v)) }
    }

    mutating func stringList(_ id: Int16, _ items: [String]) {
        header(id, 9)
        listHeader(items.count, 8)
        for s in items {
            let b = Array(s.utf8)
            varint(UInt64(b.count))
            bytes += b
        }
    }

    func finish() -> [UInt8] { bytes + [0] }
}
