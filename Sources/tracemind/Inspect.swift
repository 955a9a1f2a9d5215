import ArgumentParser
import FoundationEssentials
import TraceMindApp
import TraceMindDemo
import TraceMindFormats
import TraceMindModel
import TraceMindReport

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Show what a dataset file holds: its kind, size and first records as JSON (Parquet or JSON).")

    @Argument(help: "A .parquet, .json or .jsonl file.")
    var path: String

    @Option(help: "How many records to print.")
    var rows: Int = 1

    func run() throws {
        let fs = LocalFileSystem()
        let head: [UInt8]
        do { head = try fs.readPrefix(path, 4) } catch { throw Failure(description: "\(path): \(error)") }
        if head.elementsEqual([0x50, 0x41, 0x52, 0x31]) || path.lowercased().hasSuffix(".parquet") {
            // The footer first, then only the row groups printed: a huge or damaged file is refused at once.
            let f: ParquetFile
            do { f = try ParquetFile(source: FileParquetBytes(fs: fs, path: path), name: path) } catch { throw Failure(description: "\(path): \(error)") }
            warn("\(path): Parquet, \(f.numRows) rows in \(f.rowGroups.count) row groups; columns: \(f.topLevelColumns.joined(separator: ", "))")
            if let by = f.createdBy { warn("written by \(by)") }
            var printed = 0
            do {
                for g in f.rowGroups.indices where printed < rows {
                    for row in try f.rows(rowGroup: g).prefix(rows - printed) {
                        say(JSONWriter.string(row))
                        printed += 1
                    }
                }
            } catch { throw Failure(description: "\(error)") }
        } else {
            let data: Data
            do { data = try fs.read(path) } catch { throw Failure(description: "\(path): \(error)") }
            let j: JSON
            do { j = try JSONParser.parse(data) } catch { throw Failure(description: "\(path): invalid JSON: \(error)") }
            let items = j.arrayValue ?? [j]
            warn("\(path): JSON, \(items.count) records")
            for r in items.prefix(rows) { say(JSONWriter.string(r)) }
        }
    }
}
