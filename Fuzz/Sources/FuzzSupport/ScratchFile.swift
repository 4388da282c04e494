// ScratchFile.swift: puts a fuzz input in a file the readers can open, one path per process, rewritten each run.
#if canImport(Glibc)
import Glibc
#endif

/// A file under $TMPDIR (or /tmp) named for this process and `suffix`; each `write` replaces its contents.
public struct ScratchFile {
    public let path: String

    public init(suffix: String) {
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        path = "\(dir)/draw-fuzz-\(getpid())\(suffix)"
    }

    /// Replaces the file's contents with `size` bytes at `data`; traps if the file system refuses (not a reader bug).
    public func write(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0, "cannot create \(path)")
        var done = 0
        while done < size {
            let n = Glibc.write(fd, data! + done, size - done)
            precondition(n > 0, "cannot write \(path)")
            done += n
        }
        close(fd)
    }
}
