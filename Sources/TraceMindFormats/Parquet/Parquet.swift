import FoundationEssentials

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
        let chunkCount = only == nil && !small ? min(n, Parallel.cores * 4) : 1
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
