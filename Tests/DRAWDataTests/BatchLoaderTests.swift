// BatchLoaderTests.swift: batch order per epoch, determinism from the seed, disjoint shards, drop-last and wrap.
import DRAWData
import Testing

@Suite struct BatchLoaderTests {
    /// `n` 1 × 1 × 1 images whose value is their index.
    func indexed(_ n: Int) -> Dataset {
        Dataset(count: n, channels: 1, height: 1, width: 1, images: (0..<n).map(Float.init))
    }

    @Test func batchesHoldTheirImagesAndEachEpochIsAPermutation() throws {
        let loader = try BatchLoader(dataset: indexed(20), batchSize: 4, seed: 9)
        #expect(loader.batchesPerEpoch == 5)
        var epochs: [[Int]] = [[], []]
        for step in 0..<10 {
            let batch = loader.next()
            #expect(batch.step == step && batch.epoch == step / 5 && batch.index == step % 5 && batch.size == 4)
            #expect(batch.images == batch.indices.map(Float.init))
            epochs[batch.epoch] += batch.indices
        }
        #expect(epochs.allSatisfy { $0.sorted() == Array(0..<20) })
        #expect(epochs[0] != epochs[1] && epochs[0] != Array(0..<20))
    }

    @Test func sameSeedSameBatchesAndResumeMatches() throws {
        let set = indexed(37)
        let a = try BatchLoader(dataset: set, batchSize: 5, seed: 3)
        let b = try BatchLoader(dataset: set, batchSize: 5, seed: 3)
        let first = (0..<20).map { _ in a.next() }
        #expect(first == (0..<20).map { _ in b.next() })
        let resumed = try BatchLoader(dataset: set, batchSize: 5, seed: 3, startStep: 13)
        #expect(resumed.next() == first[13] && resumed.next() == first[14])
        #expect(a.batch(step: 4) == first[4])
        let other = try BatchLoader(dataset: set, batchSize: 5, seed: 4)
        #expect(other.next().indices != first[0].indices)
    }

    @Test func shardsAreSlicesOfTheSingleProcessBatches() throws {
        let set = indexed(23)
        let loaders = try (0..<3).map { try BatchLoader(dataset: set, batchSize: 2, seed: 11, shard: (rank: $0, size: 3)) }
        // 23 images in global batches of 3 x 2: 3 per epoch, 5 images left out of each epoch.
        #expect(loaders.allSatisfy { $0.globalBatchSize == 6 && $0.batchesPerEpoch == 3 })
        let single = try BatchLoader(dataset: set, batchSize: 6, seed: 11)
        for step in 0..<7 {
            let slices = loaders.map { $0.batch(step: step) }
            // Rank r holds slice r of the batch one process with the 3x larger batch reads: same images, same order.
            #expect(slices.flatMap(\.indices) == single.batch(step: step).indices)
            #expect(slices.flatMap(\.images) == single.batch(step: step).images)
        }
        for epoch in 0..<2 {
            let seen = (0..<3).flatMap { k in loaders.flatMap { $0.batch(step: epoch * 3 + k).indices } }
            #expect(Set(seen).count == 18, "ranks read disjoint images within an epoch")
        }
        expectDataError("rank 3 of 3") { _ = try BatchLoader(dataset: set, batchSize: 2, seed: 0, shard: (3, 3)) }
    }

    @Test func dropLastAndWrapAtTheEndOfAnEpoch() throws {
        let set = indexed(10)
        let drop = try BatchLoader(dataset: set, batchSize: 4, seed: 1)
        #expect(drop.batchesPerEpoch == 2)
        let wrap = try BatchLoader(dataset: set, batchSize: 4, seed: 1, dropLast: false)
        #expect(wrap.batchesPerEpoch == 3)
        let order = wrap.order(epoch: 0)
        let last = wrap.batch(step: 2)
        #expect(last.size == 4 && last.indices == [order[8], order[9], order[0], order[1]])
        #expect(wrap.batch(step: 3).epoch == 1)
        expectDataError("fewer than one batch") { _ = try BatchLoader(dataset: set, batchSize: 11, seed: 0) }
        expectDataError("batch size") { _ = try BatchLoader(dataset: set, batchSize: 0, seed: 0) }
    }

    @Test func prefetchedBatchesMatchDirectOnesForMultiChannelImages() throws {
        let set = try ProceduralFaces.generate(count: 12, channels: 3, height: 8, width: 8, seed: 2)
        let loader = try BatchLoader(dataset: set, batchSize: 3, seed: 5)
        for step in 0..<9 {
            let batch = loader.next()
            #expect(batch == loader.batch(step: step))
            #expect(batch.images == set.subset(batch.indices).images)
        }
    }
}
