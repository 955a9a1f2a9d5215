import FoundationEssentials
import Glibc

/// An open file written or read whole, through its descriptor: what the project used `FileHandle` for (standard
/// output and error, a download's partial file, two cache copies compared), without Foundation proper (see
/// `Threads.swift`).
public final class FileDescriptor: @unchecked Sendable {
    public let fd: Int32
    private let owned: Bool
    private var closed = false

    public static let standardOutput = FileDescriptor(fd: 1, owned: false)
    public static let standardError = FileDescriptor(fd: 2, owned: false)

    private init(fd: Int32, owned: Bool) {
        self.fd = fd
        self.owned = owned
    }

    /// An existing file opened for writing from its start (not truncated, not created).
    public convenience init?(forWritingAtPath path: String) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.init(fd: fd, owned: true)
    }

    public convenience init?(forReadingAtPath path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.init(fd: fd, owned: true)
    }

    deinit { close() }

    public struct WriteError: Error {
        public let code: Int32
    }

    /// Every byte written (a short write is continued, an interrupted one retried); throws on the first failure.
    public func write(contentsOf bytes: UnsafeRawBufferPointer) throws(WriteError) {
        guard var at = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, at, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteError(code: errno)
            }
            at += n
            left -= n
        }
    }

    /// Every byte of a `Data`, an array of bytes, … (see `write(contentsOf:)` of a buffer).
    public func write(contentsOf bytes: some ContiguousBytes) throws(WriteError) {
        let failure = bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> WriteError? in
            do throws(WriteError) {
                try write(contentsOf: raw)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// The text's bytes, a failure ignored (a message to a closed standard error goes nowhere).
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { try? write(contentsOf: UnsafeRawBufferPointer($0)) }
    }

    /// Up to `count` bytes from where the file stands (fewer only at its end); nil when it cannot be read.
    public func read(upToCount count: Int) -> Data? {
        var out = Data(count: count)
        var got = 0
        let ok = out.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) -> Bool in
            while got < count {
                let n = Glibc.read(fd, raw.baseAddress! + got, count - got)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                if n == 0 { break }
                got += n
            }
            return true
        }
        guard ok else { return nil }
        out.count = got
        return out
    }

    public func close() {
        guard owned, !closed else { return }
        closed = true
        _ = Glibc.close(fd)
    }
}

/// A file operation's failure in words (what `localizedDescription` gave with Foundation proper): the system's own
/// words for the error number underneath where there is one.
public enum FileErrors {
    public static func describe(_ error: any Error) -> String {
        if let e = error as? CocoaError {
            if let u = e.userInfo["NSUnderlyingError"] as? POSIXError { return systemWords(u.code.rawValue) }
            switch e.code {
            case .fileWriteFileExists: return systemWords(EEXIST)
            case .fileWriteNoPermission, .fileReadNoPermission: return systemWords(EACCES)
            case .fileWriteOutOfSpace: return systemWords(ENOSPC)
            case .fileWriteVolumeReadOnly: return systemWords(EROFS)
            case .fileNoSuchFile, .fileReadNoSuchFile: return systemWords(ENOENT)
            default: return "the file operation failed (\(e.code.rawValue))"
            }
        }
        if let e = error as? POSIXError { return systemWords(e.code.rawValue) }
        return "\(error)"
    }

    static func systemWords(_ code: Int32) -> String {
        guard let s = strerror(code) else { return "error \(code)" }
        return String(cString: s).lowercased()
    }
}
