import Foundation
import TraceMindFormats

/// The lean first read of a span from a file, straight from its bytes: what `Span.pick` builds, each member known by
/// its key (looked up once per key a worker meets) and put where the span reads it (a field, an attribute it counts,
/// a member beside the fields), never an object of its members made first and taken apart after.
///
/// Keys are matched by their bytes, `pick` by their texts: the same, as none of these keys holds a letter that
/// another character is canonically equivalent to (`K`, `;`, `` ` ``: the tests check).
extension Span {
    /// A span's field spellings (`SpanFields.names`, their places there), then the members `pick` builds beside them.
    static let leanOthers: [String] = ["service", "service_name", "cost_usd", "accumulated_cost_usd"]
    static let leanKeys = KeyIndex(SpanFields.names + leanOthers)

    /// The attributes a span's figures are made of (`figureKeys`).
    static let figureIndex = KeyIndex(figureKeys.sorted())

    static let eventsPick = pick.nested["events"]!
    static let resourcePick = pick.nested["resource"]!

    /// The fields of the span object at `r`, read as `pick` builds them (the same values, checks and messages); nil,
    /// the value read, when it is no object. Depths are those of a span in a trace document's `spans`.
    static func leanFields(_ r: inout JSONReader) throws(JSONParseError) -> SpanFields? {
        var f = SpanFields()
        let isObject = try r.members(depth: 3, known: leanKeys) { id, k, r throws(JSONParseError) in
            guard let id else { return try r.skip(depth: 3) }
            guard let field = SpanFields.Field(rawValue: id) else { return f.other(k, try r.value(depth: 3)) }
            switch field {
            case .attributes: f.set(.attributes, try leanAttributes(&r))
            case .events: f.set(.events, try r.picked(eventsPick, depth: 3))
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

    /// The `attributes` value at `r`: of an object, the figure attributes (`figureKeys`) that are not null, in order;
    /// any other value whole (OTLP's key/value array is read by `details`).
    static func leanAttributes(_ r: inout JSONReader) throws(JSONParseError) -> JSON {
        let mark = r.objectMark
        do {
            let isObject = try r.members(depth: 4, known: figureIndex) { id, k, r throws(JSONParseError) in
                guard id != nil else { return try r.skip(depth: 4) }
                let v = try r.value(depth: 4)
                if !v.isNull { r.push(k, v) }
            }
            if isObject { return .object(r.object(from: mark)) }
        } catch {
            r.drop(to: mark)
            throw error
        }
        return try r.value(depth: 3)
    }
}
