// ImageFolderLoader.swift: every PNG and JPEG under a folder (recursively) decoded into one Dataset, in parallel.
import Dispatch
import Foundation

/// What `ImageFolderLoader.load` found: the images, and the files it passed over.
public struct FolderLoadResult: Sendable {
    public var dataset: Dataset
    /// Files that are not .png / .jpg / .jpeg (by extension, case-insensitive), sorted; they were not opened.
    public var skipped: [String]
    /// Image files left out as copies of one loaded: the same file reached again (a symbolic link, a hard
    /// link) or another file with the same bytes, each beside the file it repeats. Sorted.
    public var duplicates: [(dropped: String, kept: String)] = []
    /// One line for logs, e.g. "1203 images (1200 JPEG, 3 PNG) from data/faces, 2 other files skipped".
    public var summary: String
}

/// Loads a folder of PNG and JPEG images, searched recursively (symbolic links followed, hidden files included).
/// A file reached twice (through links) or with the same bytes as another is loaded once, so a held-out
/// split cannot hold a copy of a training image (the Moka icon theme links most of its 2415 icons to 805 files).
///
/// Files are chosen by extension (.png, .jpg, .jpeg), sorted by path so the order does not depend on the file
/// system, and decoded by their signature (a PNG named .jpg still loads). Any colour type and bit depth is read
/// (see `PNGCodec`, `JPEGCodec`), then `ImageOptions` crops, resizes, converts and binarizes. A file that fails
/// to decode stops the load with its `DataError` (a corrupt file in a training set is a problem to fix, not
/// to skip quietly). Decoding runs on all cores; the result does not depend on the thread count.
public enum ImageFolderLoader {
    /// Largest dataset built in memory, in bytes (count · C · H · W · 4): 8 GiB. Checked before decoding; a
    /// larger folder (all of celebA at 64 × 64 RGB is 10 GB) needs `limit`.
    public static let maxDatasetBytes = 1 << 33

    /// The image extensions picked up, lower case.
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Loads the images under `folder`. `limit` keeps the first `limit` images in path order.
    /// Throws `emptyFolder` when there is no image, `unreadable` when the folder cannot be listed.
    /// Where `options` leaves the size open, the images keep their own size when every one (after any crop)
    /// has the same, and are resized to `mixedSize` otherwise.
    public static func load(folder: String, options: ImageOptions, limit: Int? = nil,
                            mixedSize: (height: Int, width: Int)? = nil) throws -> FolderLoadResult {
        try options.validate()
        var (files, skipped) = try listImages(folder: folder)
        let (distinct, duplicates) = try deduplicated(files)
        files = distinct
        if let limit { files = Array(files.prefix(max(limit, 0))) }
        guard !files.isEmpty else { throw DataError.emptyFolder(path: folder, skipped: skipped.count) }
        var result = try load(files: files, skipped: skipped, options: options, source: folder)
        if let mixedSize, result.mixed, options.height == nil, options.width == nil {
            var sized = options
            (sized.height, sized.width) = (mixedSize.height, mixedSize.width)
            result = try load(files: files, skipped: skipped, options: sized, source: folder)
            result.load.summary += ", sizes differ: all resized to \(mixedSize.width)x\(mixedSize.height)"
        }
        result.load.duplicates = duplicates
        if !duplicates.isEmpty {
            result.load.summary += ", \(duplicates.count) duplicate\(duplicates.count == 1 ? "" : "s") dropped"
                + " (the same file through a link, or the same bytes)"
        }
        return result.load
    }

    /// `files` (sorted) without repeats: the first of each resolved path, then the first of each content
    /// (files of equal size are read and compared byte for byte). Returns the rest as (dropped, kept) pairs.
    static func deduplicated(_ files: [String]) throws -> (files: [String], duplicates: [(dropped: String, kept: String)]) {
        var byTarget: [String: String] = [:], duplicates: [(dropped: String, kept: String)] = []
        var unique: [(path: String, target: String)] = []
        for f in files {
            let target = URL(fileURLWithPath: f).resolvingSymlinksInPath().path
            if let kept = byTarget[target] { duplicates.append((f, kept)); continue }
            byTarget[target] = f
            unique.append((f, target))
        }
        // Sizes and bytes of the files themselves (a link's own attributes are the link's).
        var bySize: [Int: [(path: String, target: String)]] = [:]
        for f in unique {
            let size = (try? FileManager.default.attributesOfItem(atPath: f.target)[.size] as? Int) ?? -1
            bySize[size, default: []].append(f)
        }
        var dropped = Set<String>()
        for (_, group) in bySize where group.count > 1 {
            var byContent: [Data: String] = [:]
            for f in group {
                guard let bytes = FileManager.default.contents(atPath: f.target) else {
                    throw DataError.unreadable(path: f.path, reason: "cannot read the file")
                }
                if let kept = byContent[bytes] {
                    duplicates.append((f.path, kept))
                    dropped.insert(f.path)
                } else { byContent[bytes] = f.path }
            }
        }
        return (unique.map(\.path).filter { !dropped.contains($0) }, duplicates.sorted { $0.dropped < $1.dropped })
    }

    /// Loads exactly `files` (each a PNG or JPEG), in that order.
    public static func load(files: [String], options: ImageOptions) throws -> Dataset {
        try options.validate()
        guard !files.isEmpty else { throw DataError.invalidArgument("no image files given") }
        return try load(files: files, skipped: [], options: options, source: "\(files.count) files").load.dataset
    }

    /// Image files under `folder` (sorted by path) and the other regular files (sorted).
    public static func listImages(folder: String) throws -> (images: [String], others: [String]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw DataError.unreadable(path: folder, reason: "no such folder")
        }
        guard isDirectory.boolValue else { throw DataError.unreadable(path: folder, reason: "not a folder") }
        guard let walker = FileManager.default.enumerator(
            at: URL(fileURLWithPath: folder), includingPropertiesForKeys: [.isRegularFileKey], options: [])
        else { throw DataError.unreadable(path: folder, reason: "cannot list the folder") }
        var images: [String] = [], others: [String] = []
        for case let url as URL in walker {
            let resolved = url.resolvingSymlinksInPath()
            guard (try? resolved.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            if imageExtensions.contains(url.pathExtension.lowercased()) { images.append(url.path) } else { others.append(url.path) }
        }
        return (images.sorted(), others.sorted())
    }

    /// Reads one PNG or JPEG, chosen by its first bytes.
    public static func decode(_ path: String, maxBytes: Int = defaultMaxImageBytes) throws -> DecodedImage {
        try decodeSniffed(path, maxBytes: maxBytes).image
    }

    static func decodeSniffed(_ path: String, maxBytes: Int) throws -> (image: DecodedImage, format: Format) {
        let format = try sniff(path)
        switch format {
        case .png: return (try PNGCodec.read(path, maxBytes: maxBytes), format)
        case .jpeg: return (try JPEGCodec.read(path, maxBytes: maxBytes), format)
        }
    }

    enum Format { case png, jpeg }

    static func sniff(_ path: String) throws -> Format {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        if head.isEmpty { throw DataError.truncated(path: path, detail: "file is empty") }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return .png }
        if head.starts(with: [0xFF, 0xD8]) { return .jpeg }
        throw DataError.badMagic(path: path, detail: "neither a PNG nor a JPEG signature")
    }

    /// The load, and whether the images' own sizes (after any crop) differ.
    private static func load(files: [String], skipped: [String], options: ImageOptions,
                             source: String) throws -> (load: FolderLoadResult, mixed: Bool) {
        // The first image fixes the size when the options leave it open.
        let first = try decodeSniffed(files[0], maxBytes: options.maxImageBytes)
        let cropW = options.centreCrop?.width ?? first.image.width
        let cropH = options.centreCrop?.height ?? first.image.height
        let (h, w) = (options.height ?? cropH, options.width ?? cropW)
        let size = options.channels * h * w
        let bytes = files.count.multipliedReportingOverflow(by: size * MemoryLayout<Float>.size)
        guard !bytes.overflow, bytes.partialValue <= maxDatasetBytes else {
            throw DataError.tooLarge(path: source, detail:
                "\(files.count) images of \(options.channels)x\(h)x\(w) floats need more than the \(maxDatasetBytes >> 30) GiB limit; load fewer (limit) or smaller images")
        }
        let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: files.count * size)
        defer { output.deallocate() }
        let state = LoadState(count: files.count)

        // Each worker holds one decoded image at a time (its bytes, floats and raster: about 10x the decoder's limit
        // at most), so the worker count is bounded by a memory budget as well as by the cores.
        let perWorker = max(1, 10 * options.maxImageBytes)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, files.count, decodeBudgetBytes / perWorker))
        let base = SendablePointer(output.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for i in stride(from: worker, to: files.count, by: workers) where !state.failedBefore(i) {
                do {
                    let (image, format) = i == 0 ? first : try decodeSniffed(files[i], maxBytes: options.maxImageBytes)
                    if (options.centreCrop == nil) && (image.width != first.image.width || image.height != first.image.height) {
                        state.noteMixed()
                    }
                    let raster = try options.prepare(image, path: files[i], height: h, width: w)
                    let dst = base.pointer + i * size
                    raster.pixels.withUnsafeBufferPointer { dst.update(from: $0.baseAddress!, count: size) }
                    binarize(dst, count: size, imageIndex: i, mode: options.binarization)
                    state.record(i, isPNG: format == .png)
                } catch {
                    state.fail(i, error)
                }
            }
        }
        if let error = state.firstError { throw error }
        let dataset = Dataset(count: files.count, channels: options.channels, height: h, width: w,
                              images: Array(output), names: files)
        let png = state.pngCount
        var summary = "\(files.count) images (\(files.count - png) JPEG, \(png) PNG) from \(source)"
        if !skipped.isEmpty { summary += ", \(skipped.count) other file\(skipped.count == 1 ? "" : "s") skipped" }
        return (FolderLoadResult(dataset: dataset, skipped: skipped, summary: summary), state.mixed)
    }
}

/// The workers' shared bookkeeping: the lowest-index error (so the error reported does not depend on timing)
/// and the PNG count.
private final class LoadState: @unchecked Sendable {
    private let lock = NSLock()
    private var errorIndex = Int.max
    private var error: Error?
    private var png = 0
    private var sizesDiffer = false

    init(count: Int) {}

    func failedBefore(_ i: Int) -> Bool { lock.withLock { errorIndex < i } }
    func fail(_ i: Int, _ e: Error) {
        lock.withLock { if i < errorIndex { (errorIndex, error) = (i, e) } }
    }
    func record(_ i: Int, isPNG: Bool) { if isPNG { lock.withLock { png += 1 } } }
    var firstError: Error? { lock.withLock { error } }
    var pngCount: Int { lock.withLock { png } }
    func noteMixed() { lock.withLock { sizesDiffer = true } }
    var mixed: Bool { lock.withLock { sizesDiffer } }
}
