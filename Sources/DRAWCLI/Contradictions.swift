// Contradictions.swift: the flags given on --resume that disagree with the saved run, each worded the one way.

/// Collects "--flag given (the saved run has saved)" for every flag that was given with a value other than the
/// saved run's (a flag left out never contradicts).
struct Contradictions {
    private(set) var found: [String] = []

    /// A setting the saved run always has.
    mutating func check<T: Equatable>(_ flag: String, _ given: T?, _ saved: T) {
        if let given, given != saved { found.append("--\(flag) \(given) (the saved run has \(saved))") }
    }

    /// A setting the saved run may lack; `absent` words its absence ("none", "the default", …).
    mutating func check<T: Equatable>(_ flag: String, _ given: T?, _ saved: T?, absent: String) {
        if let given, given != saved {
            found.append("--\(flag) \(given) (the saved run has \(saved.map { "\($0)" } ?? absent))")
        }
    }

    /// A contradiction worded by the caller (a switch, which has no value to show).
    mutating func append(_ text: String) { found.append(text) }
    mutating func append(contentsOf texts: [String]) { found += texts }
}
