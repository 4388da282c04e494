// Fixture.swift: one reference fixture folder (Tests/Fixtures/<name>/) read into the model's terms.
import DRAW
import DRAWTestSupport
import Foundation

/// expected.json, the batch, ε and generation z of a fixture, and a model holding its weights.
struct Fixture {
    let name: String
    let directory: URL
    let expected: [String: Any]
    let config: DRAWConfig
    /// The batch as planar [B, C, H, W] floats, value/255.
    let batch: [Float]
    let batchSize: Int
    /// ε for eps_fixed, [T][B][Z]; z for generate, [T][n][Z].
    let eps: [Float]
    let genZ: [Float]
    let generateCount: Int

    /// Every folder in Tests/Fixtures that has an expected.json, sorted (found by listing, never by name).
    static func names() -> [String] {
        let items = (try? FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.path)) ?? []
        return items.filter {
            FileManager.default.fileExists(atPath: fixturesDirectory.appendingPathComponent($0)
                .appendingPathComponent("expected.json").path)
        }.sorted()
    }

    init(_ name: String) throws {
        self.name = name
        directory = fixturesDirectory.appendingPathComponent(name)
        let json = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
        expected = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        let configJSON = try JSONSerialization.data(withJSONObject: expected["config"]!)
        config = try DRAWConfig.decode(json: configJSON, source: "\(name)/expected.json: config")
        let b = try readNPY(directory.appendingPathComponent("batch.npy").path)
        precondition(b.shape == [b.shape[0], config.channels, config.height, config.width], "\(name): batch.npy shape \(b.shape)")
        batch = b.values.map { $0 / 255 }
        batchSize = b.shape[0]
        eps = try readNPY(directory.appendingPathComponent("eps.npy").path).values
        let g = try readNPY(directory.appendingPathComponent("gen_z.npy").path)
        genZ = g.values
        generateCount = g.shape[1]
    }

    var weightsPath: String { directory.appendingPathComponent("weights.safetensors").path }

    /// A model with the fixture's weights.
    func model() throws -> DRAWModel { try DRAWModel(contentsOf: weightsPath) }

    /// expected.json value at a dotted path, e.g. "eps_zero.loss_mean".
    func value(_ path: String) -> Any? {
        var node: Any? = expected
        for key in path.split(separator: ".", maxSplits: 1).map(String.init) {
            node = (node as? [String: Any])?[key]
        }
        return node
    }
    func doubles(_ any: Any?) -> [Double] {
        if let a = any as? [Any] { return a.flatMap { doubles($0) } }
        if let n = any as? NSNumber { return [n.doubleValue] }
        return []
    }
    func double(_ any: Any?) -> Double { (any as! NSNumber).doubleValue }
}

/// The largest error seen in a comparison, and where, so the report can print each fixture's worst case.
struct ErrorLedger {
    private(set) var worst = 0.0
    private(set) var worstWhere = ""
    mutating func note(_ error: Double, _ what: String) {
        if error > worst || error.isNaN { worst = error; worstWhere = what }
    }
}

/// |a − b| / max(|b|, floor).
func relativeError(_ a: Double, _ b: Double, floor: Double = 1e-12) -> Double { abs(a - b) / max(abs(b), floor) }
