import Foundation
import GlimpseCLIP
import GlimpseTestSupport
import Testing

@Suite struct CLIPModelConfigurationTests {
    @Test func clipFixtureConfigIsReadWithItsValues() throws {
        let c = try CLIPModelConfiguration(contentsOf: CLIPFixtures.clipFolder.appendingPathComponent("config.json"))
        #expect(c.family == .clip)
        #expect(c.projectionDimension == 32)
        #expect(c.text.hiddenSize == 64 && c.text.intermediateSize == 128 && c.text.layerCount == 2)
        #expect(c.text.headCount == 4 && c.text.maxPositions == 77 && c.text.vocabularySize == 914)
        #expect(c.text.eosTokenID == 913 && c.text.hiddenAct == "quick_gelu" && c.text.layerNormEpsilon == 1e-5)
        #expect(c.vision.hiddenSize == 64 && c.vision.imageSize == 224 && c.vision.patchSize == 32)
        #expect(c.vision.channelCount == 3 && c.vision.tokenCount == 50 && c.vision.hiddenAct == "quick_gelu")
    }

    @Test func chineseCLIPFixtureConfigIsReadWithItsValues() throws {
        let c = try CLIPModelConfiguration(
            contentsOf: CLIPFixtures.chineseCLIPFolder.appendingPathComponent("config.json"))
        #expect(c.family == .chineseCLIP)
        #expect(c.text.hiddenAct == "gelu" && c.text.layerNormEpsilon == 1e-12 && c.text.eosTokenID == nil)
        #expect(c.text.maxPositions == 64 && c.text.vocabularySize == 221 && c.text.typeVocabularySize == 2)
        #expect(c.vision.hiddenAct == "gelu" && c.vision.layerNormEpsilon == 1e-5)
    }

    @Test func absentKeysTakeTransformersDefaultsPerFamily() throws {
        let clip = try CLIPModelConfiguration(json: Data(#"{"model_type": "clip"}"#.utf8))
        #expect(clip.projectionDimension == 512)
        #expect(try clip.vision == CLIPModelConfiguration.openAIViTB32Vision)
        #expect(clip.text.hiddenSize == 512 && clip.text.intermediateSize == 2048 && clip.text.headCount == 8)
        #expect(clip.text.layerCount == 12 && clip.text.maxPositions == 77 && clip.text.vocabularySize == 49408)
        #expect(
            clip.text.eosTokenID == 49407 && clip.text.hiddenAct == "quick_gelu" && clip.text.layerNormEpsilon == 1e-5)

        let chinese = try CLIPModelConfiguration(json: Data(#"{"model_type": "chinese_clip", "text_config": {}}"#.utf8))
        #expect(chinese.text.hiddenSize == 768 && chinese.text.intermediateSize == 3072 && chinese.text.headCount == 12)
        #expect(chinese.text.maxPositions == 512 && chinese.text.vocabularySize == 30522)
        #expect(
            chinese.text.hiddenAct == "gelu" && chinese.text.layerNormEpsilon == 1e-12 && chinese.text.eosTokenID == nil
        )
        #expect(chinese.vision.hiddenAct == "quick_gelu" && chinese.vision.hiddenSize == 768)
    }

    @Test func legacyConfigDictSectionsOverrideTheirSections() throws {
        let json =
            #"{"model_type": "clip", "text_config": {"hidden_size": 256, "num_attention_heads": 4},"#
            + #" "text_config_dict": {"hidden_size": 128}, "vision_config_dict": null}"#
        let c = try CLIPModelConfiguration(json: Data(json.utf8))
        #expect(c.text.hiddenSize == 128 && c.text.headCount == 4)
    }

    @Test func unsupportedActivationIsRefusedNamingTheKey() throws {
        let json = #"{"model_type": "clip", "vision_config": {"hidden_act": "swish"}}"#
        #expect(
            throws: CLIPModelError.unsupportedActivation(
                path: "config.json", key: "vision_config.hidden_act",
                activation: "swish")
        ) {
            try CLIPModelConfiguration(json: Data(json.utf8))
        }
        let message = String(
            describing: CLIPModelError.unsupportedActivation(
                path: "config.json", key: "vision_config.hidden_act", activation: "swish"))
        #expect(message.contains("quick_gelu") && message.contains("swish"))
    }

    @Test func gelusOfBothFamiliesAndTheTanhApproximationsAreAccepted() throws {
        for act in ["quick_gelu", "gelu", "gelu_new", "gelu_pytorch_tanh"] {
            let json = #"{"model_type": "chinese_clip", "vision_config": {"hidden_act": "\#(act)"}}"#
            #expect(try CLIPModelConfiguration(json: Data(json.utf8)).vision.hiddenAct == act)
        }
    }

    @Test func otherModelTypesAndBadValuesAreRefused() throws {
        #expect(throws: CLIPModelError.unsupportedModelType(path: "config.json", modelType: "siglip")) {
            try CLIPModelConfiguration(json: Data(#"{"model_type": "siglip"}"#.utf8))
        }
        let bad = [
            #"{"projection_dim": 512}"#,  // no model_type
            #"{"model_type": "clip", "vision_config": {"hidden_size": "768"}}"#,
            #"{"model_type": "clip", "vision_config": {"hidden_size": 770}}"#,  // not divisible by 12 heads
            #"{"model_type": "clip", "vision_config": {"patch_size": 30}}"#,  // 224 not a multiple
            #"{"model_type": "clip", "text_config": {"eos_token_id": null}}"#,
            #"{"model_type": "clip", "text_config": {"layer_norm_eps": -1}}"#,
            #"{"model_type": "clip", "text_config": [1]}"#,
            "not json",
        ]
        for json in bad {
            do {
                _ = try CLIPModelConfiguration(json: Data(json.utf8))
                Issue.record("accepted \(json)")
            } catch let CLIPModelError.invalidConfiguration(_, reason) {
                #expect(!reason.isEmpty)
            }
        }
    }
}

extension CLIPModelConfiguration {
    /// openai/clip-vit-base-patch32's vision tower = CLIPVisionConfig's defaults.
    static var openAIViTB32Vision: CLIPVisionConfiguration {
        get throws {
            let json =
                #"{"model_type": "clip", "vision_config": {"hidden_size": 768, "intermediate_size": 3072,"#
                + #" "num_hidden_layers": 12, "num_attention_heads": 12, "image_size": 224, "patch_size": 32,"#
                + #" "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5, "num_channels": 3}}"#
            return try CLIPModelConfiguration(json: Data(json.utf8)).vision
        }
    }
}
