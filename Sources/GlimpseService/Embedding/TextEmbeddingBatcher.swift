import GlimpseEmbedding
import Synchronization

/// Query-role embedding for one space, shared by every search: cached vectors first (`QueryVectorCache`), and the
/// texts concurrent searches still need go through the embedder together, one forward pass per batch, as
/// inference servers batch requests.
///
/// Scheduling: when no batch is running, a request's texts start at once, so a lone query never waits. While a
/// batch runs, newly asked texts queue; the queue starts as the next batch as soon as a batch ends, or, when fewer
/// than `maxConcurrentBatches` run, once it has gathered for `window` or holds `maxBatchTexts`. A text already
/// queued or being embedded for another search is not embedded again: the second search waits for the same vector.
final class TextEmbeddingBatcher: Sendable {
    struct Settings: Sendable, Equatable {
        /// How long texts queued behind a running batch wait for more before a further batch starts beside it.
        var window: Duration = .milliseconds(2)
        /// Texts per forward pass at most.
        var maxBatchTexts: Int = 32
        /// Batches embedding at once (each holds a blocking-pool thread).
        var maxConcurrentBatches: Int = 2
    }

    struct Counters: Sendable, Equatable {
        /// Forward passes (embedder calls) made for searches.
        var batches = 0
        /// Texts those passes embedded.
        var texts = 0
    }

    let embedder: any TextEmbedder
    let cache: QueryVectorCache
    let settings: Settings
    private let blockingWork: BlockingWork
    private let state = Mutex(State())

    init(embedder: any TextEmbedder, cache: QueryVectorCache, settings: Settings, blockingWork: BlockingWork) {
        self.embedder = embedder
        self.cache = cache
        self.settings = Settings(
            window: max(settings.window, .zero), maxBatchTexts: max(1, settings.maxBatchTexts),
            maxConcurrentBatches: max(1, settings.maxConcurrentBatches))
        self.blockingWork = blockingWork
    }

    var counters: Counters { state.withLock { $0.counters } }
    /// Texts waiting for a batch to start (for tests: how many arrived while a batch was running).
    var queuedTexts: Int { state.withLock { $0.queue.count } }
    /// Searches waiting for a text's vector (for tests: several searches share one text's embedding).
    func waitingSearches(for text: String) -> Int { state.withLock { $0.waiting[text]?.count ?? 0 } }

    /// The query-role vectors of `texts`, in order.
    func embed(_ texts: [String]) async throws -> [[Float]] {
        var vectors: [String: [Float]] = [:]
        var missing: [String] = []
        for text in texts where vectors[text] == nil && !missing.contains(text) {
            if let cached = cache.vectors(for: [text], role: .query)[0] {
                vectors[text] = cached
            } else {
                missing.append(text)
            }
        }
        if !missing.isEmpty {
            let embedded = try await withCheckedThrowingContinuation { continuation in
                let start = state.withLock { state in
                    let request = PendingRequest(texts: missing, continuation: continuation)
                    for text in missing {
                        if state.waiting[text] == nil {
                            state.waiting[text] = []
                            state.queue.append(text)
                        }
                        state.waiting[text]!.append(request)
                    }
                    return state.nextBatch(settings: settings, reason: .arrival)
                }
                launch(start)
            }
            vectors.merge(embedded) { cached, _ in cached }
        }
        return texts.map { vectors[$0]! }
    }

    private func launch(_ decision: State.Decision) {
        switch decision {
        case .none:
            break
        case .start(let batch):
            Task { await self.run(batch) }
        case .armTimer:
            let window = settings.window
            Task {
                try? await Task.sleep(for: window)
                let start = self.state.withLock { state in
                    state.timerArmed = false
                    return state.nextBatch(settings: self.settings, reason: .windowElapsed)
                }
                self.launch(start)
            }
        }
    }

    /// Embeds one batch and hands each waiting search its vectors. When the batch fails and holds several texts,
    /// each is embedded alone, so a text the embedder refuses fails only the searches that asked for it.
    private func run(_ batch: [String]) async {
        let embedder = self.embedder
        let outcome: [Result<[Float], any Error>] = await {
            do {
                let vectors = try await blockingWork.run { try embedder.embed(batch, role: .query) }
                guard vectors.count == batch.count else {
                    throw AlignmentEmbeddingMismatch(asked: batch.count, got: vectors.count)
                }
                return vectors.map { .success($0) }
            } catch  where batch.count > 1 {
                var results: [Result<[Float], any Error>] = []
                for text in batch {
                    results.append(
                        await Result { try await self.blockingWork.run { try embedder.embed([text], role: .query)[0] } }
                    )
                }
                return results
            } catch {
                return [.failure(error)]
            }
        }()
        let stored = zip(batch, outcome).compactMap { text, result in (try? result.get()).map { (text, $0) } }
        cache.store(stored.map(\.1), for: stored.map(\.0), role: .query)
        let (finished, next) = state.withLock { state in
            state.counters.batches += 1
            state.counters.texts += batch.count
            state.running -= 1
            var finished: [(PendingRequest.Continuation, Result<[String: [Float]], any Error>)] = []
            for (text, result) in zip(batch, outcome) {
                for request in state.waiting.removeValue(forKey: text) ?? [] {
                    if let done = request.receive(text, result) { finished.append((request.continuation, done)) }
                }
            }
            return (finished, state.nextBatch(settings: settings, reason: .batchEnded))
        }
        launch(next)
        for (continuation, result) in finished { continuation.resume(with: result) }
    }
}

extension Result where Failure == any Error {
    fileprivate init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// One search's texts not in the cache; only touched under the batcher's lock.
private final class PendingRequest {
    typealias Continuation = CheckedContinuation<[String: [Float]], any Error>
    let continuation: Continuation
    private var remaining: Set<String>
    private var vectors: [String: [Float]] = [:]
    private var failed = false

    init(texts: [String], continuation: Continuation) {
        self.remaining = Set(texts)
        self.continuation = continuation
    }

    /// The outcome once the request is complete (all vectors, or its first failure); nil while texts are pending
    /// or after it has been answered.
    func receive(_ text: String, _ result: Result<[Float], any Error>) -> Result<[String: [Float]], any Error>? {
        guard !failed else { return nil }
        switch result {
        case .failure(let error):
            failed = true
            return .failure(error)
        case .success(let vector):
            vectors[text] = vector
            remaining.remove(text)
            return remaining.isEmpty ? .success(vectors) : nil
        }
    }
}

private struct State {
    /// Texts not yet in a batch, in arrival order, each once.
    var queue: [String] = []
    /// Requests waiting per text, for queued texts and texts being embedded.
    var waiting: [String: [PendingRequest]] = [:]
    var running = 0
    var timerArmed = false
    var counters = TextEmbeddingBatcher.Counters()

    enum Reason { case arrival, windowElapsed, batchEnded }
    enum Decision {
        case none
        case start([String])
        case armTimer
    }

    /// Whether the queue starts now (taking up to a batch of texts), later (a window timer), or waits for a batch
    /// to end.
    mutating func nextBatch(settings: TextEmbeddingBatcher.Settings, reason: Reason) -> Decision {
        guard !queue.isEmpty, running < settings.maxConcurrentBatches else { return .none }
        // Idle embedder: nothing to wait for. A batch just ended: the queue has gathered for its whole duration.
        // A full batch or a window already passed: waiting longer gains nothing.
        let startNow =
            running == 0 || reason != .arrival || queue.count >= settings.maxBatchTexts || settings.window == .zero
        guard startNow else {
            if timerArmed { return .none }
            timerArmed = true
            return .armTimer
        }
        let batch = Array(queue.prefix(settings.maxBatchTexts))
        queue.removeFirst(batch.count)
        running += 1
        return .start(batch)
    }
}
