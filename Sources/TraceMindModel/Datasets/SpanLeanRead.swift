import FoundationEssentials
import TraceMindFormats

/// The lean first read of a span from a file, straight from its bytes: what `Span.pick` builds, each member known by
/// its key (looked up once per key a worker meets) and put where the span reads it (a field, an attribute it counts,
/// a member beside the fields), never an object of its members made first and taken apart after.
///
/// Keys are matched by their bytes, `pick` by their texts: the same, as none of these keys holds a letter that
/// another character is canonically equivalent to (`K`, `;`, `` ` ``: the tests check).
extension Span {
    /// The members `pick` builds beside the known fields.
    static let leanOthers: [String] = ["service", "service_name", "cost_usd", "accumulated_cost_usd"]
    /// A span's field spellings (`SpanFields.names`, their places there), then `leanOthers`.
    static let leanKeys = KeyIndex(SpanFields.names + leanOthers)

    /// The attributes a span's figures are made of (`figureKeys`).
    static let figureIndex = KeyIndex(figureKeys.sorted())

    static let eventsPick = pick.nested["events"]!
    static let resourcePick = pick.nested["resource"]!

    /// The fields of the span object at `r`, read as `pick` builds them (the same values, checks and messages); nil,
    /// the value read, when it is no object. Depths are those of a span in a trace document's `spans`.
    static func leanFields(_ r: inout JSONReader) throws(JSONParseError) -> SpanFields? {
        var f = SpanFields()
        let isObject = try r.members(depth: 3, known: leanKeys) { id, r throws(JSONParseError) in
            guard let id else { return try r.skip(depth: 3) }
            guard let field = SpanFields.Field(rawValue: id) else {
                let k = r.key
                return f.other(k, try r.value(depth: 3))
            }
            switch field {
            case .attributes: f.set(.attributes, try leanAttributes(&r))
            case .events: f.leanException = try leanEvents(&r)
            // The same resource and status in every span of a document: read once, then met again byte for byte.
            case .resource: f.set(.resource, try r.repeating(resourcePick, tag: 0, depth: 3))
            case .status: f.set(.status, try r.repeating(nil, tag: 1, depth: 3))
            case .links: try r.skip(depth: 3)
            default: f.set(field, try r.value(depth: 3))
            }
        }
        guard isObject else {
            _ = try r.value(depth: 2)
            return nil
        }
        return f
    }

    /// The first exception event of the `events` value at `r` (nil: none), read as `eventsPick` reads them, each event's
    /// members as they are met and nothing of them kept but the exception's: a span's steps and tool calls made no
    /// objects, arrays and texts to be released straight after.
    static func leanEvents(_ r: inout JSONReader) throws(JSONParseError) -> SpanEvent? {
        var found: SpanEvent?
        let isArray = try r.elements(depth: 4) { r throws(JSONParseError) in
            var name: JSON?, timestamp: JSON?, timeUnixNano: JSON?, attributes: JSON?
            let isObject = try r.members(depth: 5, known: eventKeys) { id, r throws(JSONParseError) in
                switch id {
                case 0?: name = try r.value(depth: 5)
                case 1?: timestamp = try r.value(depth: 5)
                case 2?: timeUnixNano = try r.value(depth: 5)
                case 3?: attributes = try leanMembers(&r, of: exceptionIndex, depth: 5)
                default: try r.skip(depth: 5)
                }
            }
            guard isObject else {
                _ = try r.value(depth: 4)
                return
            }
            if found == nil, isException(name: name) {
                found = event(name: name, time: timestamp ?? timeUnixNano, attributes: attributes)
            }
        }
        if !isArray { _ = try r.picked(eventsPick, depth: 3) }
        return found
    }

    /// An event's members `leanEvents` reads (`eventsPick`'s), in the order of their places.
    static let eventKeys = KeyIndex(["name", "timestamp", "timeUnixNano", "attributes"])
    /// The attributes of an event an exception's text is made of.
    static let exceptionIndex = KeyIndex(["exception.type", "exception.message"])

    /// The `attributes` value at `r`: of an object, the figure attributes (`figureKeys`) that are not null, in order;
    /// any other value whole (OTLP's key/value array is read by `details`).
    static func leanAttributes(_ r: inout JSONReader) throws(JSONParseError) -> JSON { try leanMembers(&r, of: figureIndex, depth: 3) }

    /// The value at `r` (a member's, at `depth`): of an object, its members in `index` that are not null, in order; any
    /// other value whole. Nulls are left out as `details` leaves them out (`Span.dropNulls`).
    static func leanMembers(_ r: inout JSONReader, of index: KeyIndex, depth: Int) throws(JSONParseError) -> JSON {
        let mark = r.objectMark
        do {
            let isObject = try r.members(depth: depth + 1, known: index) { id, r throws(JSONParseError) in
                guard id != nil else { return try r.skip(depth: depth + 1) }
                let k = r.key
                let v = try r.value(depth: depth + 1)
                if !v.isNull { r.push(k, v) }
            }
            if isObject { return .object(r.object(from: mark)) }
        } catch {
            r.drop(to: mark)
            throw error
        }
        return try r.value(depth: depth)
    }
}
