import TraceMindFormats

/// The lookup tables a first read of a run's files uses (the span fields' and figure attributes' keys, the usage
/// conventions' slots and preferences, a test result's members), made before it asks for them. Each is made once, on
/// the first thread that asks: made in the middle of a read on all cores, one core made them while the other waited
/// for them. A command made them on another core while its command line was parsed (`prepare`).
public enum ReadingTables {
    /// Every table made (each at most once; a thread that asks while it is being made waits for it).
    public static func prepare() {
        _ = Span.leanKeys
        _ = Span.figureIndex
        _ = Span.eventKeys
        _ = Span.exceptionIndex
        _ = Span.eventsPick
        _ = Span.resourcePick
        _ = Span.factShape
        _ = Span.factIndex
        _ = Span.knownShape
        _ = SpanFields.ids
        _ = UsageConventions.keyEntries
        _ = UsageConventions.keyShape
        _ = TestResult.members
        _ = Parallel.cores
    }
}
