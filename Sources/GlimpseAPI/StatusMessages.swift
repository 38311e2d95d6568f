import Foundation

/// `GET /v1/items/{id}`.
public struct ItemResponse: Codable, Sendable, Equatable {
    public var id: String
    public var imagePath: String
    public var contentHash: String
    public var captions: [String: String]
    public var vectors: Int
    public var createdAt: String
    public var updatedAt: String
    /// The item's user fields, when it has any.
    public var fields: [String: JSONValue]?
    /// What the item's image headers say, when they could be read.
    public var photo: PhotoFactsResponse?
    /// Where each caption came from, by language ("auto" or "given"); absent when every caption was given.
    public var captionSources: [String: String]?

    public init(
        id: String, imagePath: String, contentHash: String, captions: [String: String], vectors: Int,
        createdAt: String, updatedAt: String, fields: [String: JSONValue]? = nil, photo: PhotoFactsResponse? = nil
    ) {
        self.fields = fields
        self.photo = photo
        self.id = id
        self.imagePath = imagePath
        self.contentHash = contentHash
        self.captions = captions
        self.vectors = vectors
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, captions, vectors, fields, photo
        case imagePath = "image_path"
        case contentHash = "content_hash"
        case captionSources = "caption_sources"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

public struct HealthResponse: Codable, Sendable, Equatable {
    public var status: String
    public init(status: String) { self.status = status }
}

/// `GET /v1/status`.
public struct StatusResponse: Codable, Sendable, Equatable {
    public var version: String
    public var catalog: CatalogStatus
    public var indexes: [IndexStatus]
    public var model: ModelStatus
    /// Cross-lingual query alignment: on when the bilingual dictionary loaded.
    public var alignment: AlignmentStatus?

    public init(
        version: String, catalog: CatalogStatus, indexes: [IndexStatus], model: ModelStatus,
        alignment: AlignmentStatus? = nil
    ) {
        self.version = version
        self.catalog = catalog
        self.indexes = indexes
        self.model = model
        self.alignment = alignment
    }
}

public struct AlignmentStatus: Codable, Sendable, Equatable {
    public var active: Bool
    public var dictionaryPath: String?
    public var englishHeadwords: Int
    /// Why alignment is off, e.g. a missing or corrupt dictionary.
    public var error: String?

    public init(active: Bool, dictionaryPath: String?, englishHeadwords: Int, error: String?) {
        self.active = active
        self.dictionaryPath = dictionaryPath
        self.englishHeadwords = englishHeadwords
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case active, error
        case dictionaryPath = "dictionary_path"
        case englishHeadwords = "english_headwords"
    }
}

public struct CatalogStatus: Codable, Sendable, Equatable {
    public var path: String
    public var items: Int
    public var captions: Int
    public var vectors: Int
    public var tombstonedVectors: Int
    public var jobs: [String: Int]

    public init(path: String, items: Int, captions: Int, vectors: Int, tombstonedVectors: Int, jobs: [String: Int]) {
        self.path = path
        self.items = items
        self.captions = captions
        self.vectors = vectors
        self.tombstonedVectors = tombstonedVectors
        self.jobs = jobs
    }

    enum CodingKeys: String, CodingKey {
        case path, items, captions, vectors, jobs
        case tombstonedVectors = "tombstoned_vectors"
    }
}

public struct IndexStatus: Codable, Sendable, Equatable {
    public var space: String
    public var dimension: Int
    public var vectors: Int
    public var m: Int
    public var efConstruction: Int
    public var efSearchDefault: Int
    public var efSearchMax: Int
    public var snapshotWatermark: Int64
    /// Points of this index whose catalog vectors were deleted or replaced; searches skip them until a rebuild.
    public var tombstonedVectors: Int = 0
    /// `tombstonedVectors / vectors` (0 for an empty index).
    public var tombstonedFraction: Double = 0
    /// Above this fraction a rebuild is queued automatically; 0 means never.
    public var autoRebuildTombstoneFraction: Double = 0
    /// Fingerprint of the model the daemon embeds with, and of the one the catalog's vectors were embedded with;
    /// they differ until a re-embedding rebuild has finished (`reembedPending`).
    public var modelFingerprint: String = ""
    public var vectorsModelFingerprint: String = ""
    public var reembedPending: Bool = false
    /// How searches' texts were embedded in this space: the query-vector cache and the batched forward passes.
    public var queryEmbedding: QueryEmbeddingStatus?
    /// How the index stores its vectors: "float32" or "sq8" (nil from a daemon that does not say).
    public var vectorEncoding: String?
    /// sq8 only (nil for float32): whether the per-dimension ranges were trained from the index's vectors, or are
    /// still the [-1, 1] an index that started with fewer than 1,000 vectors has (a rebuild retrains them).
    public var rangesTrainedFromData: Bool?
    /// Whether dictionary words' query vectors come from the install-time word-vector table in this space.
    public var wordTable: WordTableStatus?

    public init(
        space: String, dimension: Int, vectors: Int, m: Int, efConstruction: Int, efSearchDefault: Int,
        efSearchMax: Int, snapshotWatermark: Int64
    ) {
        self.space = space
        self.dimension = dimension
        self.vectors = vectors
        self.m = m
        self.efConstruction = efConstruction
        self.efSearchDefault = efSearchDefault
        self.efSearchMax = efSearchMax
        self.snapshotWatermark = snapshotWatermark
    }

    enum CodingKeys: String, CodingKey {
        case space, dimension, vectors, m
        case efConstruction = "ef_construction"
        case efSearchDefault = "ef_search_default"
        case efSearchMax = "ef_search_max"
        case snapshotWatermark = "snapshot_watermark"
        case tombstonedVectors = "tombstoned_vectors"
        case tombstonedFraction = "tombstoned_fraction"
        case autoRebuildTombstoneFraction = "auto_rebuild_tombstone_fraction"
        case modelFingerprint = "model_fingerprint"
        case vectorsModelFingerprint = "vectors_model_fingerprint"
        case reembedPending = "reembed_pending"
        case queryEmbedding = "query_embedding"
        case vectorEncoding = "vector_encoding"
        case rangesTrainedFromData = "ranges_trained_from_data"
        case wordTable = "word_table"
    }
}

/// The word-vector table of one space: mapped (its path and how many texts it holds) or not, and why not.
public struct WordTableStatus: Codable, Sendable, Equatable {
    public var loaded: Bool
    /// The configured table file (nil when none is configured).
    public var path: String?
    /// Texts the table holds (loaded tables only).
    public var texts: Int?
    /// Why the table is not used (not loaded only): no file, corrupt, another model, other dictionaries…
    public var reason: String?

    public init(loaded: Bool, path: String?, texts: Int? = nil, reason: String? = nil) {
        self.loaded = loaded
        self.path = path
        self.texts = texts
        self.reason = reason
    }
}

/// Counters since the daemon started, for one embedding space.
public struct QueryEmbeddingStatus: Codable, Sendable, Equatable {
    /// Texts found in the query-vector cache, and texts that were not.
    public var cacheHits: Int
    public var cacheMisses: Int
    public var cacheEntries: Int
    public var cacheBytes: Int
    public var cacheEvictions: Int
    /// Forward passes made for searches, and the texts they embedded (texts / batches is the mean batch size).
    public var batches: Int
    public var batchedTexts: Int

    public init(
        cacheHits: Int, cacheMisses: Int, cacheEntries: Int, cacheBytes: Int, cacheEvictions: Int, batches: Int,
        batchedTexts: Int
    ) {
        self.cacheHits = cacheHits
        self.cacheMisses = cacheMisses
        self.cacheEntries = cacheEntries
        self.cacheBytes = cacheBytes
        self.cacheEvictions = cacheEvictions
        self.batches = batches
        self.batchedTexts = batchedTexts
    }

    enum CodingKeys: String, CodingKey {
        case batches
        case cacheHits = "cache_hits"
        case cacheMisses = "cache_misses"
        case cacheEntries = "cache_entries"
        case cacheBytes = "cache_bytes"
        case cacheEvictions = "cache_evictions"
        case batchedTexts = "batched_texts"
    }
}

public struct ModelStatus: Codable, Sendable, Equatable {
    public var name: String
    public var path: String
    public var dimension: Int

    public init(name: String, path: String, dimension: Int) {
        self.name = name
        self.path = path
        self.dimension = dimension
    }
}

/// Body of every 4xx/5xx answer.
public struct ErrorResponse: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        /// An `APIErrorCode`'s raw value; a plain string so that codes added later still decode.
        public var code: String
        public var message: String
        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }
    public var error: Detail
    public init(code: APIErrorCode, message: String) { self.error = Detail(code: code.rawValue, message: message) }
}
