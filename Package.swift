// swift-tools-version: 6.0
import PackageDescription

// Modules follow the data flow: embed → catalog → index → service → server → daemon/CLI (docs/architecture.md).
// The embedding math is compiled with optimisation even in debug builds: the encoder's
// element-wise loops (LayerNorm, GELU, softmax) are 20–50× slower at -Onone, which would
// make the test suite crawl without changing what it checks.
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Glimpse",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "glimpsed", targets: ["glimpsed"]),
        .executable(name: "glimpse", targets: ["glimpse"]),
        .executable(name: "glimpse-bench", targets: ["GlimpseBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        // Already in the graph through Hummingbird; named here because GlimpseService uses NIOThreadPool itself.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        // Metrics: swift-metrics is the API the service and server record through; swift-prometheus is the backend
        // the daemon bootstraps and `GET /metrics` renders.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // System libraries and C/C++ shims.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .target(
            name: "CFaissShim",
            path: "Sources/CFaissShim",
            cxxSettings: [.unsafeFlags(["-O2", "-std=c++17", "-fopenmp"]), .headerSearchPath("compat")],
            linkerSettings: [
                .linkedLibrary("faiss"), .linkedLibrary("openblas"), .linkedLibrary("gomp"), .linkedLibrary("stdc++"),
                .linkedLibrary("z"),
            ]
        ),

        // JPEG/PNG/WebP/HEIF/AVIF decoding over Debian's libjpeg-turbo, libpng, libwebp and libheif; errors returned.
        .target(
            name: "CImageCodec",
            path: "Sources/CImageCodec",
            cSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [
                .linkedLibrary("jpeg"), .linkedLibrary("png16"), .linkedLibrary("webp"), .linkedLibrary("heif"),
            ]
        ),

        // Q4 × Q8 integer matrix products (AVX2 / AVX-VNNI chosen at run time, portable C otherwise), vectorised GELU
        // and fp32 attention: the kernels of the quantised encoders, kept apart from any model as ggml keeps its own.
        .target(name: "CQuantKernels", path: "Sources/CQuantKernels", cSettings: [.unsafeFlags(["-O2"])]),

        // Images: decoding to upright RGB and model preprocessing.
        .target(name: "GlimpseImage", dependencies: ["CImageCodec"], swiftSettings: optimisedInDebug),
        // Every tokenizer in one place (SentencePiece unigram, WordPiece, byte-level BPE, tokenizer.json), as
        // llama.cpp keeps its vocabularies apart from its models.
        .target(name: "GlimpseTokenizers", swiftSettings: optimisedInDebug),
        // Transformer math shared by every model: BLAS, kernels, activations, Q4 blocks, encoder layer stacks,
        // the safetensors reader.
        .target(name: "GlimpseTransformer", dependencies: ["CBLAS", "CQuantKernels"], swiftSettings: optimisedInDebug),
        // Embedding: only the embedder protocols, roles and vector math; the service depends on nothing more.
        .target(name: "GlimpseEmbedding", dependencies: ["GlimpseImage"], swiftSettings: optimisedInDebug),
        // multilingual-e5-small from the 4-bit E5S1 file: format, weights, forward pass, E5TextEmbedder.
        .target(
            name: "GlimpseE5",
            dependencies: ["GlimpseTokenizers", "GlimpseTransformer", "GlimpseEmbedding"],
            swiftSettings: optimisedInDebug
        ),
        // CLIP and Chinese-CLIP towers from Hugging Face folders (config.json + model.safetensors).
        .target(
            name: "GlimpseCLIP",
            dependencies: [
                "GlimpseTokenizers", "GlimpseTransformer", "GlimpseEmbedding", "GlimpseImage", "GlimpseAPI",
            ],
            swiftSettings: optimisedInDebug
        ),
        // Catalog: SQLite source of truth. Sources/GlimpseCatalog/Migrations is a symlink to the top-level
        // migrations/, so the numbered SQL files exist once; they are embedded in the binary because a resource
        // bundle is not found once glimpsed is installed elsewhere.
        .target(
            name: "GlimpseCatalog",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            resources: [.embedInCode("Migrations")]
        ),
        // Index: FAISS HNSW snapshots.
        .target(name: "GlimpseIndex", dependencies: ["CFaissShim"]),
        // Language: script detection, mixed-query splitting and the Chinese–English dictionary for cross-lingual
        // query alignment; no dependencies, so it is testable without a model.
        .target(name: "GlimpseLanguage"),
        // API: the wire types shared by the service, the server and the client (plain Codable values).
        .target(name: "GlimpseAPI"),
        // Service: ingestion worker, search, status; no transport.
        .target(
            name: "GlimpseService",
            dependencies: [
                "GlimpseEmbedding", "GlimpseImage", "GlimpseCatalog", "GlimpseIndex", "GlimpseAPI", "GlimpseLanguage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // NIOThreadPool for blocking work (BlockingWork); swift-nio arrives through Hummingbird.
                .product(name: "NIOPosix", package: "swift-nio"),
                // Search-stage timers (embed, index, alignment, fusion).
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            // The recognize label vocabulary, embedded in the binary like the migrations.
            resources: [.embedInCode("Recognition/LabelVocabulary.tsv")]
        ),
        // Server: the thin HTTP/JSON transport over Unix sockets, one file per endpoint group; loads no model.
        .target(
            name: "GlimpseServer",
            dependencies: [
                "GlimpseService", "GlimpseAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // The HTTP/1 decoder's types: connection handlers sit next to it (parser errors, HTTP version).
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            // Embedded in the binary: a resource bundle is not found once glimpsed is installed elsewhere.
            resources: [.embedInCode("openapi.yaml")]
        ),
        // Daemon: the composition root — configuration, model loading, data-directory lock, systemd notify.
        .target(
            name: "GlimpseDaemon",
            dependencies: [
                "GlimpseAPI", "GlimpseServer", "GlimpseService", "GlimpseE5", "GlimpseCLIP", "GlimpseImage",
                "GlimpseIndex",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Client: HTTP over the daemon's Unix socket, used by the CLI, tests and benchmarks.
        .target(
            name: "GlimpseClient",
            dependencies: ["GlimpseAPI", .product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        .executableTarget(
            name: "glimpsed",
            dependencies: ["GlimpseDaemon"]
        ),
        .executableTarget(
            name: "glimpse",
            dependencies: [
                "GlimpseClient", "GlimpseAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Evaluation: the labelled eval set's reader and the retrieval metrics (recall@k, MRR, overlap).
        .target(name: "GlimpseEvaluation", path: "Benchmarks/GlimpseEvaluation"),
        .executableTarget(
            name: "GlimpseBench",
            dependencies: [
                "GlimpseEmbedding", "GlimpseE5", "GlimpseTransformer", "GlimpseCLIP", "GlimpseIndex", "GlimpseImage",
                "GlimpseService", "GlimpseAPI", "GlimpseEvaluation", "GlimpseCatalog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/GlimpseBench",
            swiftSettings: optimisedInDebug
        ),

        // Shared test support: temporary directories, fixture paths, test-only embedders, scoped daemon helpers.
        .target(
            name: "GlimpseTestSupport",
            dependencies: ["GlimpseEmbedding", "GlimpseAPI", "GlimpseClient", "GlimpseEvaluation"],
            path: "Tests/GlimpseTestSupport"
        ),

        .testTarget(
            name: "GlimpseImageTests", dependencies: ["GlimpseImage", "GlimpseEvaluation", "GlimpseTestSupport"]),
        .testTarget(name: "GlimpseTokenizersTests", dependencies: ["GlimpseTokenizers", "GlimpseTestSupport"]),
        .testTarget(
            name: "GlimpseTransformerTests",
            dependencies: ["GlimpseTransformer", "CQuantKernels", "GlimpseEvaluation", "GlimpseTestSupport"]),
        .testTarget(name: "GlimpseEmbeddingTests", dependencies: ["GlimpseEmbedding"]),
        .testTarget(
            name: "GlimpseE5Tests", dependencies: ["GlimpseE5", "GlimpseEmbedding", "GlimpseTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "GlimpseCLIPTests",
            dependencies: [
                "GlimpseCLIP", "GlimpseTokenizers", "GlimpseTransformer", "GlimpseEmbedding", "GlimpseImage",
                "GlimpseTestSupport",
            ]
        ),
        .testTarget(
            name: "GlimpseCatalogTests",
            // GlimpseIndex: the catalog is what an index is rebuilt from, and a test checks such a rebuild.
            dependencies: [
                "GlimpseCatalog", "GlimpseIndex", "GlimpseTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "GlimpseIndexTests", dependencies: ["GlimpseIndex", "GlimpseEvaluation", "GlimpseTestSupport"]),
        .testTarget(name: "GlimpseLanguageTests", dependencies: ["GlimpseLanguage", "GlimpseTestSupport"]),
        .testTarget(name: "GlimpseEvaluationTests", dependencies: ["GlimpseEvaluation"]),
        // The wire contract against the OpenAPI document the server embeds and its route table (built over a service
        // with the test-only embedder); GlimpseImage so that its decoding codes are checked to be API codes.
        .testTarget(
            name: "GlimpseAPITests",
            dependencies: [
                "GlimpseAPI", "GlimpseServer", "GlimpseService", "GlimpseImage", "GlimpseTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // GlimpseCLIP: the tiny fixture checkpoint is a real image embedder for image ingest and search.
        .testTarget(
            name: "GlimpseServiceTests",
            dependencies: ["GlimpseService", "GlimpseCLIP", "GlimpseImage", "GlimpseTokenizers", "GlimpseTestSupport"]
        ),
        .testTarget(
            name: "GlimpseEndToEndTests",
            dependencies: [
                "GlimpseClient", "GlimpseAPI", "GlimpseCatalog", "GlimpseEvaluation", "GlimpseTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "GlimpseClientTests",
            dependencies: [
                "GlimpseClient", "GlimpseAPI", "GlimpseTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "GlimpseServerTests",
            dependencies: [
                "GlimpseServer", "GlimpseDaemon", "GlimpseService", "GlimpseEmbedding", "GlimpseClient", "GlimpseAPI",
                "GlimpseTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The CLI's own logic (table layout, exit statuses), through @testable import of the executable.
        .testTarget(name: "GlimpseCLITests", dependencies: ["glimpse", "GlimpseAPI"]),
        .testTarget(
            name: "GlimpseDaemonTests",
            dependencies: [
                "GlimpseDaemon", "GlimpseServer", "GlimpseService", "GlimpseTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
