// StandardError.swift: text on standard error that never stops the process (a reader that went away is ignored).
import Foundation

public enum StandardError {
    /// Writes `text` as it is, straight to file descriptor 2. Not through FileHandle, which traps on a write
    /// error (EPIPE when `draw train 2>&1 | head` has closed the pipe): a run must go on to save its checkpoints.
    public static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if n > 0 { bytes = bytes.dropFirst(n) } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }

    /// Ignore SIGPIPE for the whole process, so a closed pipe on standard output or error makes writes fail
    /// (and be ignored) instead of killing a training run mid-way.
    public static func survivePipeClosing() {
        signal(SIGPIPE, SIG_IGN)
    }
}
