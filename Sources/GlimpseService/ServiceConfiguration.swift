import Foundation
import GlimpseAPI
import GlimpseImage
import GlimpseIndex

/// Everything the service needs to run, as a plain value so the daemon can build it from a config file and flags.
public struct ServiceConfiguration: Sendable, Equatable {
    /// Holds `catalog.sqlite3` and the `indexes/` snapshots.
    public var dataDirectory: URL
    public var hnsw: HNSWParameters
    /// Items embedded per worker step: one embedder batch and one progress update.
    public var ingestChunkSize: Int = 32
    /// Write an index snapshot once this many vectors were added since the last one…
    public var snapshotEveryVectors: Int = 5_000
    /// …or when the queue is drained and this long has passed since the last one.
    public var snapshotInterval: Duration = .seconds(30)
    /// Threads for blocking work (embedding, index search, snapshots, rebuilds); see `BlockingWork`. Requests beyond
    /// it queue instead of adding threads. At least 2, so a long rebuild or ingest batch never holds every thread
    /// while searches wait.
    public var blockingThreads: Int = max(2, ProcessInfo.processInfo.activeProcessorCount)
    /// Upper bounds for one request, so a single client cannot exhaust the daemon.
    public var limits: RequestLimits = RequestLimits()
    /// Where images may be read from; see `ImageRoots`.
    public var imageRoots: ImageRoots = .anywhere
    /// Queue a rebuild once this fraction of an index's points are tombstoned; 0 (the default here; glimpsed's is
    /// 0.2) never does.
    public var autoRebuildTombstoneFraction: Double = 0
    /// Model fingerprints by space name (glimpsed: the model file's size and SHA-256). A space without one is
    /// fingerprinted by the vectors its embedder gives fixed probe texts.
    public var modelFingerprints: [String: String] = [:]
    /// File size and pixel limits for images decoded at ingest (spaces that embed images) and for example images.
    public var imageDecodingLimits: ImageDecodingLimits = .default
    /// cedict's `EnWords.csv` for cross-lingual query alignment; nil, missing or corrupt → plain vector search.
    public var dictionaryPath: String?
    /// CC-CEDICT (`cedict_ts.u8`) read beside `dictionaryPath`; nil → the word list alone. Missing or corrupt →
    /// plain vector search, as for the word list.
    public var cedictPath: String?
    /// The install-time table of dictionary words' query vectors (`WordVectorTable`); nil, missing, or built for
    /// another model or other dictionaries → ignored with a logged notice, and those words are embedded as before.
    public var wordTablePath: String?
    /// Query vectors cached per embedding space (whole queries and the dictionary words alignment embeds), at most
    /// this many entries and bytes; 0 entries turns the cache off. 20,000 e5 vectors (384 floats, about 1.6 KB each
    /// with key and bookkeeping) take about 33 MB, so both bounds meet there: enough for the dictionary words of a
    /// few thousand distinct aligned queries (6–11 texts each), about a tenth of an empty daemon's memory. A space
    /// with longer vectors (CLIP, 512 or 768) reaches the byte bound first.
    public var queryVectorCacheEntries: Int = 20_000
    public var queryVectorCacheBytes: Int = 32 << 20
    /// Texts concurrent searches ask for while a batch is embedding gather this long (or up to
    /// `queryBatchMaxTexts`) before a further batch starts beside it; a lone query never waits. See
    /// `TextEmbeddingBatcher`.
    public var queryBatchWindow: Duration = .milliseconds(2)
    public var queryBatchMaxTexts: Int = 32
    /// Bytes of the data directory's `storage.reserve` file, deleted when the disk fills up so the worker can still
    /// record that the job in progress failed (`StorageReserve`); 0 keeps none.
    public var storageReserveBytes: Int = 4 << 20
    /// While idle, the worker truncates a non-empty catalog WAL to zero bytes this often (at once after a full disk
    /// or when it outgrew `Catalog.walSizeLimitBytes`), so space a full disk left in it is given back.
    public var walTruncateInterval: Duration = .seconds(30)
    /// Bounds on the parts and translations cross-lingual alignment adds to one query.
    public var queryExpansion = QueryExpansionLimits()
    /// Automatic captions of image-only items, when the service has a labeler (`AutomaticCaptioner`).
    public var automaticCaptions = AutomaticCaptionSettings()

    public init(dataDirectory: URL, hnsw: HNSWParameters = HNSWParameters()) {
        self.dataDirectory = dataDirectory
        self.hnsw = hnsw
    }

    public var catalogPath: String { dataDirectory.appendingPathComponent("catalog.sqlite3").path }
    public var indexDirectory: URL { dataDirectory.appendingPathComponent("indexes", isDirectory: true) }

    var queryVectorCache: QueryVectorCache.Limits {
        QueryVectorCache.Limits(maxEntries: max(0, queryVectorCacheEntries), maxBytes: max(0, queryVectorCacheBytes))
    }

    var queryBatching: TextEmbeddingBatcher.Settings {
        // One batch per blocking-pool thread but one: a burst of searches still leaves a thread for index searches.
        TextEmbeddingBatcher.Settings(
            window: queryBatchWindow, maxBatchTexts: queryBatchMaxTexts,
            maxConcurrentBatches: max(1, blockingThreads - 1))
    }

    func snapshotURL(space: String) -> URL {
        indexDirectory.appendingPathComponent("\(space).hnsw")
    }
}

/// Lengths count Unicode code points (scalars), as JSON Schema's and so the OpenAPI document's maxLength does: not
/// grapheme clusters, whose count changes with the Unicode version, and not UTF-8 bytes.
public struct RequestLimits: Sendable, Equatable {
    public var maxItemsPerRequest: Int = IngestLimits.maxItemsPerRequest
    public var maxCaptionCharacters: Int = IngestLimits.maxCaptionCharacters
    public var maxCaptionsPerItem: Int = IngestLimits.maxCaptionsPerItem
    public var maxQueryCharacters: Int = IngestLimits.maxQueryCharacters
    public var maxK: Int = IngestLimits.maxK
    public var maxPathBytes: Int = IngestLimits.maxPathBytes
    public var maxIDCharacters: Int = IngestLimits.maxIDCharacters

    public init() {}
}
