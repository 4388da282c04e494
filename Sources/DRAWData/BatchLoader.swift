// BatchLoader.swift: seeded shuffled mini-batches [B, C, H, W], one epoch after another, prepared one ahead on a thread.
import Foundation

/// One mini-batch: `images` is (size, C, H, W) planar floats, `indices` the dataset images it holds.
public struct Batch: Sendable, Equatable {
    /// Global step: epoch · batchesPerEpoch + index.
    public let step: Int
    public let epoch: Int
    /// Position within the epoch, 0 ..< batchesPerEpoch.
    public let index: Int
    public let indices: [Int]
    public let images: [Float]
    public var size: Int { indices.count }
}

/// Mini-batches of a `Dataset` in a seeded shuffled order per epoch, each prepared on a background thread one
/// batch ahead of the caller, so copying overlaps training.
///
/// Order: epoch e permutes all `count` images with `SplitMix64(seed: seed, stream: e)` (Fisher-Yates). Every
/// rank computes the same permutation and reads the same global batches of `shards × batchSize` images; rank r
/// keeps slice r of each (positions (k·shards + r)·batchSize ..< +batchSize of epoch order for batch k). Ranks
/// thus read disjoint images, all have the same number of batches (as lock-stepped MPI ranks need), and
/// `shards` ranks of batch b see exactly the images one process of batch shards·b sees, in the same order.
///
/// End of an epoch: with `dropLast` (the default) the last partial global batch is dropped, so every batch has
/// exactly `batchSize` images and batchesPerEpoch = count / (shards·batchSize). Without it, the last batch is
/// filled up by wrapping around to the start of the same epoch's order: batchesPerEpoch =
/// ⌈count / (shards·batchSize)⌉, still every batch full.
///
/// Batch `step` is a pure function of (dataset, seed, batchSize, shard, dropLast, step): a run resumed at
/// `startStep` sees the same batches it would have seen, whatever the thread timing.
public final class BatchLoader: @unchecked Sendable {
    public let dataset: Dataset
    public let batchSize: Int
    public let seed: UInt64
    public let rank: Int
    public let shards: Int
    public let dropLast: Bool
    /// Images one global batch step covers: shards · batchSize.
    public let globalBatchSize: Int
    public let batchesPerEpoch: Int

    private var nextStep: Int
    private let queue = DispatchQueue(label: "DRAWData.BatchLoader")
    private var pending: (step: Int, slot: Slot)?
    private var cachedEpoch: (epoch: Int, order: [Int])?
    private let orderLock = NSLock()

    /// - Parameters:
    ///   - shard: (rank, size) of this process among `size` data-parallel ranks; (0, 1) reads everything.
    ///   - startStep: the first step `next()` returns (for resuming a run).
    public init(dataset: Dataset, batchSize: Int, seed: UInt64, shard: (rank: Int, size: Int) = (0, 1),
                dropLast: Bool = true, startStep: Int = 0) throws {
        guard batchSize > 0 else { throw DataError.invalidArgument("batch size must be positive, got \(batchSize)") }
        guard shard.size > 0, shard.rank >= 0, shard.rank < shard.size else {
            throw DataError.invalidArgument("shard rank \(shard.rank) of \(shard.size) is not in 0..<\(shard.size)")
        }
        guard startStep >= 0 else { throw DataError.invalidArgument("start step \(startStep) is negative") }
        let g = batchSize * shard.size
        let batches = dropLast ? dataset.count / g : (dataset.count + g - 1) / g
        guard batches > 0 else {
            throw DataError.invalidArgument(
                "\(dataset.count) images are fewer than one batch of \(batchSize)"
                    + (shard.size > 1 ? " on each of \(shard.size) ranks" : ""))
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.seed = seed
        self.rank = shard.rank
        self.shards = shard.size
        self.dropLast = dropLast
        self.globalBatchSize = g
        self.batchesPerEpoch = batches
        self.nextStep = startStep
    }

    /// The image order of `epoch` (all `count` indices; every rank has the same).
    public func order(epoch: Int) -> [Int] {
        orderLock.withLock {
            if let cached = cachedEpoch, cached.epoch == epoch { return cached.order }
            var all = Array(0..<dataset.count)
            var rng = SplitMix64(seed: seed, stream: UInt64(epoch))
            rng.shuffle(&all)
            cachedEpoch = (epoch, all)
            return all
        }
    }

    /// Batch number `step` (computed on the calling thread; `next()` is the prefetching path).
    public func batch(step: Int) -> Batch {
        precondition(step >= 0, "step \(step)")
        let epoch = step / batchesPerEpoch, index = step % batchesPerEpoch
        let order = order(epoch: epoch)
        let first = (index * shards + rank) * batchSize
        let indices = (0..<batchSize).map { order[(first + $0) % order.count] }
        var images = [Float](repeating: 0, count: batchSize * dataset.imageSize)
        dataset.copyImages(indices, into: &images)
        return Batch(step: step, epoch: epoch, index: index, indices: indices, images: images)
    }

    /// The next batch, then starts preparing the one after it on the background thread.
    /// Call from one thread at a time.
    public func next() -> Batch {
        let step = nextStep
        let batch: Batch
        if let pending, pending.step == step {
            batch = pending.slot.wait()
        } else {
            batch = self.batch(step: step)
        }
        nextStep = step + 1
        let slot = Slot()
        pending = (step + 1, slot)
        // The block holds the loader until the batch is made; the batch is a pure function of the step.
        queue.async { [self] in slot.fill(self.batch(step: step + 1)) }
        return batch
    }
}

/// A batch handed from the background thread to the caller.
private final class Slot: @unchecked Sendable {
    private let ready = DispatchSemaphore(value: 0)
    private var batch: Batch?

    func fill(_ b: Batch) {
        batch = b
        ready.signal()
    }

    func wait() -> Batch {
        ready.wait()
        return batch!
    }
}
