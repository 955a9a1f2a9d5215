import FoundationEssentials

/// A value of the Thrift compact protocol, read generically (unknown fields are skipped by simply not being asked
/// for). Parquet's file metadata and page headers are Thrift structs.
indirect enum ThriftValue: Sendable {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case binary([UInt8])
    case list([ThriftValue])
    case map([(ThriftValue, ThriftValue)])
    case `struct`(ThriftStruct)

    var int: Int64? { if case .int(let v) = self { return v } else { return nil } }
    var bool: Bool? { if case .bool(let v) = self { return v } else { return nil } }
    var list: [ThriftValue]? { if case .list(let v) = self { return v } else { return nil } }
    var structValue: ThriftStruct? { if case .struct(let v) = self { return v } else { return nil } }
    var string: String? { if case .binary(let v) = self { return String(decoding: v, as: UTF8.self) } else { return nil } }
}

struct ThriftStruct: Sendable {
    var fields: [Int16: ThriftValue] = [:]
    subscript(_ id: Int16) -> ThriftValue? { fields[id] }
    func int(_ id: Int16) -> Int? { fields[id]?.int.map { Int(truncatingIfNeeded: $0) } }
    func int64(_ id: Int16) -> Int64? { fields[id]?.int }
    func string(_ id: Int16) -> String? { fields[id]?.string }
    func structs(_ id: Int16) -> [ThriftStruct] { fields[id]?.list?.compactMap(\.structValue) ?? [] }
    func sub(_ id: Int16) -> ThriftStruct? { fields[id]?.structValue }
}

/// The Thrift compact protocol, as Apache Thrift specifies it. Bounds-checked and depth-limited: hostile input is an
/// error, never a crash.
struct ThriftReader {
    let data: [UInt8]
    var pos: Int
    let end: Int

    init(_ data: [UInt8], at pos: Int = 0, end: Int? = nil) {
        self.data = data
        self.pos = pos
        self.end = min(end ?? data.count, data.count)
    }

    enum TType: UInt8 {
        case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8, list = 9, set = 10,
            map = 11, `struct` = 12, uuid = 13
    }

    mutating func byte() throws(ParquetError) -> UInt8 {
        guard pos < end else { throw ParquetError("metadata ends too early (truncated file?)") }
        let b = data[pos]
        pos += 1
        return b
    }

    mutating func varint() throws(ParquetError) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            v |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return v }
            shift += 7
            if shift > 63 { throw ParquetError("metadata has a malformed number") }
        }
    }

    mutating func zigzag() throws(ParquetError) -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func readStruct(depth: Int = 0) throws(ParquetError) -> ThriftStruct {
        guard depth < 64 else { throw ParquetError("metadata nested too deeply") }
        var s = ThriftStruct()
        var last: Int16 = 0
        while true {
            let h = try byte()
            if h == 0 { return s }
            let delta = Int16(h >> 4)
            let id: Int16
            if delta == 0 {
                id = Int16(truncatingIfNeeded: try zigzag())
            } else {
                id = last &+ delta
            }
            last = id
            guard let t = TType(rawValue: h & 0x0F) else { throw ParquetError("metadata has an unknown field type") }
            s.fields[id] = try value(t, depth: depth)
        }
    }

    mutating func value(_ t: TType, depth: Int) throws(ParquetError) -> ThriftValue {
        switch t {
        case .boolTrue: return .bool(true)
        case .boolFalse: return .bool(false)
        case .byte: return .int(Int64(Int8(bitPattern: try byte())))
        case .i16, .i32, .i64: return .int(try zigzag())
        case .double:
            guard pos + 8 <= end else { throw ParquetError("metadata ends too early") }
            var bits: UInt64 = 0
            for k in 0..<8 { bits |= UInt64(data[pos + k]) << (8 * UInt64(k)) }
            pos += 8
            return .double(Double(bitPattern: bits))
        case .binary:
            let n = Int(truncatingIfNeeded: try varint())
            guard n >= 0, pos + n <= end else { throw ParquetError("metadata has a string past its end") }
            let v = Array(data[pos..<(pos + n)])
            pos += n
            return .binary(v)
        case .uuid:
            guard pos + 16 <= end else { throw ParquetError("metadata ends too early") }
            let v = Array(data[pos..<(pos + 16)])
            pos += 16
            return .binary(v)
        case .list, .set:
            let h = try byte()
            var n = Int(h >> 4)
            if n == 15 { n = Int(truncatingIfNeeded: try varint()) }
            guard let et = TType(rawValue: h & 0x0F), n >= 0, n <= end - pos + 1 else { throw ParquetError("metadata has a malformed list") }
            var items: [ThriftValue] = []
            items.reserveCapacity(min(n, 1 << 16))
            for _ in 0..<n {
                if et == .boolTrue || et == .boolFalse {
                    items.append(.bool(try byte() == 1))
                } else {
                    items.append(try value(et, depth: depth + 1))
                }
            }
            return .list(items)
        case .map:
            let n = Int(truncatingIfNeeded: try varint())
            guard n >= 0, n <= end - pos else { throw ParquetError("metadata has a malformed map") }
            if n == 0 { return .map([]) }
            let kv = try byte()
            guard let kt = TType(rawValue: kv >> 4), let vt = TType(rawValue: kv & 0x0F) else { throw ParquetError("metadata has a malformed map") }
            var items: [(ThriftValue, ThriftValue)] = []
            for _ in 0..<n { items.append((try value(kt, depth: depth + 1), try value(vt, depth: depth + 1))) }
            return .map(items)
        case .struct:
            return .struct(try readStruct(depth: depth + 1))
        case .stop:
            throw ParquetError("metadata has an unexpected stop")
        }
    }
}
