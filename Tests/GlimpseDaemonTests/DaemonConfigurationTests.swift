import Foundation
import GlimpseServer
import GlimpseService
import Testing

@testable import GlimpseDaemon

@Suite struct DaemonConfigurationTests {
    private func write(_ json: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("glimpsed-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return url.path
    }

    /// The example config the systemd unit reads must load, and keep every file under the state directory: the
    /// glimpse user's home is not where the install steps put the model and dictionaries.
    @Test func theShippedSystemdConfigLoadsWithEveryFileUnderTheStateDirectory() throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("systemd/glimpsed.json").path
        // The glimpse group exists only where glimpse.sysusers was applied; everything else loads as shipped.
        var settings = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: shipped))) as? [String: Any])
        #expect(settings.removeValue(forKey: "socket_group") as? String == "glimpse")
        let configuration = try DaemonConfiguration.load(
            from: try write(String(decoding: try JSONSerialization.data(withJSONObject: settings), as: UTF8.self)))
        #expect(configuration.dataDirectory == "/var/lib/glimpse")
        for path in [configuration.modelPath, configuration.enZhDictionaryPath, configuration.zhEnDictionaryPath] {
            #expect(path.hasPrefix("/var/lib/glimpse/"), "\(path) is outside the state directory")
        }
    }

    @Test func readsEverySettingFromTheConfigFile() throws {
        let path = try write(
            #"""
            {"socket_path": "/tmp/g.sock", "socket_mode": "0600", "data_directory": "/srv/glimpse",
             "model_path": "/srv/m.bin", "hnsw_m": 16, "hnsw_ef_construction": 100, "hnsw_ef_search": 48,
             "hnsw_ef_search_max": 512, "max_body_bytes": 4096, "log_level": "debug", "image_roots": ["/srv/photos"],
             "en_zh_dictionary_path": "/srv/EnWords.csv", "zh_en_dictionary_path": "/srv/cedict_ts.u8"}
            """#)
        let configuration = try DaemonConfiguration.load(from: path)
        #expect(configuration.socketPath == "/tmp/g.sock")
        #expect(configuration.socketMode == 0o600)
        #expect(configuration.dataDirectory == "/srv/glimpse")
        #expect(configuration.modelPath == "/srv/m.bin")
        #expect(configuration.hnsw.m == 16)
        #expect(configuration.hnsw.efConstruction == 100)
        #expect(configuration.hnsw.efSearchDefault == 48)
        #expect(configuration.hnsw.efSearchMax == 512)
        #expect(configuration.maxBodyBytes == 4096)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.imageRoots == ["/srv/photos"])
        #expect(try configuration.serviceConfiguration().dictionaryPath == "/srv/EnWords.csv")
        #expect(try configuration.serviceConfiguration().cedictPath == "/srv/cedict_ts.u8")
        #expect(try configuration.serviceConfiguration().imageRoots.paths == ["/srv/photos"])
    }

    @Test func refusesUnknownSettingsAndBadValues() throws {
        func message(_ json: String) throws -> String {
            do {
                _ = try DaemonConfiguration.load(from: try write(json))
                return ""
            } catch {
                return "\(error)"
            }
        }
        #expect(try message(#"{"socket": "/x"}"#).contains("unknown setting \"socket\""))
        #expect(try message(#"{"socket_mode": "rw-rw----"}"#).contains("socket_mode"))
        #expect(try message(#"{"hnsw_m": 1}"#).contains("hnsw_m"))
        #expect(try message(#"{"log_level": "loud"}"#).contains("log_level"))
        #expect(
            try message(#"{"index_vector_encoding": "int8"}"#).contains("index_vector_encoding must be float32 or sq8"))
        #expect(try message("{not json").contains("not valid"))
        #expect(try message(#"{"image_roots": ["photos"]}"#).contains("image_roots"))
        #expect(try message(#"{"image_roots": []}"#).contains("image_roots"))
        #expect(throws: ConfigurationError.self) { try DaemonConfiguration.load(from: "/nonexistent/glimpsed.json") }
    }

    @Test func indexVectorEncodingReachesTheIndexParameters() throws {
        #expect(
            try DaemonConfiguration.load(from: try write(#"{"index_vector_encoding": "sq8"}"#)).hnsw.vectorEncoding
                == .sq8)
        #expect(DaemonConfiguration().hnsw.vectorEncoding == .float32)
    }

    @Test func clipVisionPrecisionIsFP32ByDefaultAcceptsInt8AndRefusesAnythingElse() throws {
        #expect(DaemonConfiguration().clipVisionPrecision == "fp32")
        #expect(
            try DaemonConfiguration.load(from: try write(#"{"clip_vision_precision": "int8"}"#)).clipVisionPrecision
                == "int8")
        do {
            _ = try DaemonConfiguration.load(from: try write(#"{"clip_vision_precision": "int4"}"#))
            Issue.record("int4 was accepted")
        } catch {
            #expect("\(error)".contains("clip_vision_precision must be fp32 or int8, got \"int4\""))
        }
    }

    @Test func refusesASocketPathTooLongForSockaddrUn() {
        var configuration = DaemonConfiguration()
        configuration.socketPath = "/" + String(repeating: "s", count: 120)
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
    }
}

@Suite struct SocketAndTimeoutSettingsTests {
    @Test func readsTheAdminSocketGroupTimeoutAndRebuildSettings() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("glimpsed-\(UUID().uuidString).json")
        try Data(
            #"""
            {"socket_path": "/run/g/q.sock", "admin_socket_path": "/run/g/a.sock", "admin_socket_mode": "0640",
             "socket_group": "0", "idle_timeout_seconds": 2.5, "request_timeout_seconds": 10,
             "auto_rebuild_tombstone_fraction": 0.3}
            """#.utf8
        ).write(to: url)
        let configuration = try DaemonConfiguration.load(from: url.path)
        #expect(configuration.adminSocketPath == "/run/g/a.sock")
        #expect(configuration.adminSocketMode == 0o640)
        #expect(configuration.socketGroup == "0")
        #expect(configuration.idleTimeout == .milliseconds(2_500))
        #expect(configuration.requestTimeout == .seconds(10))
        #expect(try configuration.serviceConfiguration().autoRebuildTombstoneFraction == 0.3)
    }

    @Test func defaultsKeepTheAdminSocketPrivate() {
        let configuration = DaemonConfiguration()
        #expect(configuration.socketMode == 0o660)
        #expect(configuration.adminSocketMode == 0o600)
        #expect(configuration.adminSocketPath != configuration.socketPath)
        #expect(configuration.autoRebuildTombstoneFraction == 0.2)
    }

    @Test func refusesBadTimeoutsFractionsAndGroups() throws {
        func message(_ json: String) throws -> String {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent(
                "glimpsed-\(UUID().uuidString).json")
            try Data(json.utf8).write(to: url)
            do {
                _ = try DaemonConfiguration.load(from: url.path)
                return ""
            } catch {
                return "\(error)"
            }
        }
        #expect(try message(#"{"idle_timeout_seconds": 0}"#).contains("idle_timeout_seconds"))
        #expect(try message(#"{"request_timeout_seconds": -1}"#).contains("request_timeout_seconds"))
        #expect(try message(#"{"auto_rebuild_tombstone_fraction": 1.5}"#).contains("auto_rebuild_tombstone_fraction"))
        #expect(try message(#"{"admin_socket_mode": "999"}"#).contains("admin_socket_mode"))
        #expect(try message(#"{"socket_group": "no-such-group-glimpse"}"#).contains("socket_group"))
        #expect(try message(#"{"admin_socket_path": "/run/glimpse/glimpse.sock"}"#).contains("must differ"))
    }
}

@Suite struct QueryEmbeddingSettingsTests {
    private func load(_ json: String) throws -> DaemonConfiguration {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("glimpsed-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return try DaemonConfiguration.load(from: url.path)
    }

    @Test func cacheAndBatchingSettingsReachTheService() throws {
        let service = try load(
            #"{"query_cache_entries": 500, "query_cache_megabytes": 8, "query_batch_window_ms": 0.5, "query_batch_max_texts": 4}"#
        ).serviceConfiguration()
        #expect(service.queryVectorCacheEntries == 500)
        #expect(service.queryVectorCacheBytes == 8 << 20)
        #expect(service.queryBatchWindow == .microseconds(500))
        #expect(service.queryBatchMaxTexts == 4)
        let defaults = try DaemonConfiguration().serviceConfiguration()
        #expect(defaults.queryVectorCacheEntries == 20_000)
        #expect(defaults.queryVectorCacheBytes == 32 << 20)
        #expect(defaults.queryBatchWindow == .milliseconds(2))
    }

    @Test func refusesOutOfRangeCacheAndBatchingSettings() {
        for (json, key) in [
            (#"{"query_cache_entries": -1}"#, "query_cache_entries"),
            (#"{"query_cache_megabytes": 100000}"#, "query_cache_megabytes"),
            (#"{"query_batch_window_ms": -2}"#, "query_batch_window_ms"),
            (#"{"query_batch_max_texts": 0}"#, "query_batch_max_texts"),
            (#"{"encoder_threads": -1}"#, "encoder_threads"),
            (#"{"encoder_threads": 1000}"#, "encoder_threads"),
        ] {
            do {
                _ = try load(json)
                Issue.record("\(json) was accepted")
            } catch {
                #expect("\(error)".contains(key), "\(error)")
            }
        }
    }
}

@Suite struct SocketSafetySettingsTests {
    private func load(_ json: String) throws -> DaemonConfiguration {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("glimpsed-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return try DaemonConfiguration.load(from: url.path)
    }

    @Test func aWorldWritableAdminSocketIsRefusedUnlessAllowedOnPurpose() throws {
        do {
            _ = try load(#"{"admin_socket_mode": "0666"}"#)
            Issue.record("admin_socket_mode 0666 was accepted")
        } catch {
            #expect("\(error)".contains("admin_socket_max_mode"), "\(error)")
            #expect("\(error)".contains("every user"), "\(error)")
        }
        let allowed = try load(#"{"admin_socket_mode": "0666", "admin_socket_max_mode": "0777"}"#)
        #expect(allowed.adminSocketMode == 0o666)
        // A group-writable admin socket is the documented way to share it; that stays allowed.
        #expect(try load(#"{"admin_socket_mode": "0660"}"#).adminSocketMode == 0o660)
    }

    @Test func readsTheConnectionLimits() throws {
        let configuration = try load(
            #"""
            {"request_read_timeout_seconds": 20, "request_min_bytes_per_second": 512,
             "request_min_rate_grace_seconds": 2, "max_connections": 64, "shutdown_grace_seconds": 3}
            """#)
        let limits = configuration.socketSettings(role: .query).connectionLimits
        #expect(limits.requestReadTimeout == .seconds(20))
        #expect(limits.minimumBytesPerSecond == 512)
        #expect(limits.minimumRateGracePeriod == .seconds(2))
        #expect(limits.maxConnections == 64)
        #expect(limits.shutdownGracePeriod == .seconds(3))
        #expect(throws: ConfigurationError.self) { try load(#"{"max_connections": 0}"#) }
        #expect(throws: ConfigurationError.self) { try load(#"{"request_min_bytes_per_second": -1}"#) }
    }

    @Test func readsAndBoundsTheAutomaticCaptionSettings() throws {
        let defaults = try load("{}").serviceConfiguration().automaticCaptions
        #expect(defaults == AutomaticCaptionSettings(labels: 3, minProbability: 0.05))
        let configuration = try load(#"{"auto_caption_labels": 5, "auto_caption_min_probability": 0.2}"#)
        #expect(
            try configuration.serviceConfiguration().automaticCaptions
                == AutomaticCaptionSettings(labels: 5, minProbability: 0.2))
        #expect(throws: ConfigurationError.self) { try load(#"{"auto_caption_labels": 21}"#) }
        #expect(throws: ConfigurationError.self) { try load(#"{"auto_caption_labels": -1}"#) }
        #expect(throws: ConfigurationError.self) { try load(#"{"auto_caption_min_probability": 1.5}"#) }
    }

    @Test func aRegularFileAtTheSocketPathIsNamedInTheError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-\(UUID().uuidString).sock")
            .path
        try Data("not a socket".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            try SocketGuard.prepare(path: path)
            Issue.record("a regular file at the socket path was accepted")
        } catch {
            #expect("\(error)".contains(path), "\(error)")
            #expect("\(error)".contains("regular file"), "\(error)")
        }
        #expect(FileManager.default.fileExists(atPath: path), "the file was not touched")
    }
}
