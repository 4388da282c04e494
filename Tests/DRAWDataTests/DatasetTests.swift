// DatasetTests.swift: seeded splits and shuffles, subsets carrying names, binarization by threshold and by coin.
import DRAWData
import Testing

@Suite struct DatasetTests {
    /// `n` 1 × 1 × 2 images; image i holds (i, i + 0.5).
    func numbered(_ n: Int) -> Dataset {
        Dataset(count: n, channels: 1, height: 1, width: 2, images: (0..<n).flatMap { [Float($0), Float($0) + 0.5] },
                names: (0..<n).map { "img\($0)" })
    }

    @Test func splitIsDeterministicDisjointAndComplete() throws {
        let set = numbered(50)
        let (train, test) = try set.split(testFraction: 0.2, seed: 7)
        #expect(train.count == 40 && test.count == 10)
        let again = try set.split(testFraction: 0.2, seed: 7)
        #expect(again.train == train && again.test == test)
        #expect(Set(train.names).isDisjoint(with: test.names) && Set(train.names + test.names).count == 50)
        // Names still match their images.
        for i in 0..<test.count { #expect(test.names[i] == "img\(Int(test.images[2 * i]))") }
        let other = try set.split(testFraction: 0.2, seed: 8)
        #expect(other.test != test)
        expectDataError("testFraction") { _ = try set.split(testFraction: 1, seed: 0) }
    }

    @Test func shuffleIsASeededPermutation() {
        let set = numbered(30)
        let a = set.shuffled(seed: 1), b = set.shuffled(seed: 1), c = set.shuffled(seed: 2)
        #expect(a == b && a != c && a != set)
        #expect(a.images.sorted() == set.images.sorted())
        // The sequence for a seed is fixed across platforms and Swift versions (own Fisher-Yates, own RNG).
        #expect(Dataset.permutation(count: 6, seed: 42) == Dataset.permutation(count: 6, seed: 42))
        #expect(Set(Dataset.permutation(count: 100, seed: 3)) == Set(0..<100))
    }

    @Test func subsetConcatenateAndPrefix() throws {
        let set = numbered(5)
        let sub = set.subset([4, 0])
        #expect(sub.images == [4, 4.5, 0, 0.5] && sub.names == ["img4", "img0"])
        let both = try Dataset.concatenate([sub, set.prefix(2)])
        #expect(both.count == 4 && both.names == ["img4", "img0", "img0", "img1"])
        let wrong = Dataset(count: 1, channels: 3, height: 1, width: 2)
        expectDataError("concatenate") { _ = try Dataset.concatenate([set, wrong]) }
    }

    @Test func thresholdBinarization() {
        let set = Dataset(count: 1, channels: 1, height: 1, width: 4, images: [0.2, 0.5, 0.51, 1])
        #expect(set.binarized(.threshold(0.5)).images == [0, 0, 1, 1])
    }

    @Test func stochasticBinarizationIsSeededAndUnbiased() {
        let n = 200
        let set = Dataset(count: n, channels: 1, height: 10, width: 10, images: Array(repeating: 0.3, count: n * 100))
        let a = set.binarized(.stochastic(seed: 5)), b = set.binarized(.stochastic(seed: 5))
        #expect(a == b)
        #expect(a.images.allSatisfy { $0 == 0 || $0 == 1 })
        let mean = a.images.reduce(0, +) / Float(a.images.count)
        #expect(abs(mean - 0.3) < 0.02, "mean \(mean)")  // 20000 draws: σ ≈ 0.0032
        #expect(set.binarized(.stochastic(seed: 6)) != a)
        // Image i's draws depend only on (seed, i): a subset binarized alone matches for the first image.
        #expect(set.prefix(1).binarized(.stochastic(seed: 5)).images == Array(a.images.prefix(100)))
    }
}
