#!/usr/bin/env bash
# Download a CLIP or Chinese-CLIP checkpoint folder from the Hugging Face Hub, for machines with internet access.
#
# Usage: scripts/fetch-clip.sh NAME DIR
#   e.g. scripts/fetch-clip.sh OFA-Sys/chinese-clip-vit-base-patch16 ~/.local/share/glimpse/models/chinese-clip-vit-base-patch16
#
# Fetches config.json, preprocessor_config.json, the tokenizer files the repository has, and its weights in the
# first form it publishes: model.safetensors, model.safetensors.index.json with its shards, or pytorch_model.bin
# (Glimpse reads all three; see docs/models.md). Files go to DIR.partial first and DIR is replaced only when every
# file arrived. Environment: HF_ENDPOINT (default https://huggingface.co), HF_REVISION (default main), HF_TOKEN for
# gated repositories. No test calls this script: the tests use the tiny checkpoints in Tests/Fixtures/CLIP.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 NAME DIR   (NAME as on the Hub, e.g. OFA-Sys/chinese-clip-vit-base-patch16)" >&2
  exit 2
fi
name="$1"
dir="$2"
endpoint="${HF_ENDPOINT:-https://huggingface.co}"
revision="${HF_REVISION:-main}"
partial="${dir}.partial"
rm -rf "${partial}"
mkdir -p "${partial}"

curl_args=(--fail --location --silent --show-error --retry 3)
if [[ -n "${HF_TOKEN:-}" ]]; then
  curl_args+=(--header "Authorization: Bearer ${HF_TOKEN}")
fi

# fetch FILE: download one file of the repository; returns non-zero if the repository has no such file.
fetch() {
  local file="$1"
  echo "fetching ${name}/${file}" >&2
  if curl "${curl_args[@]}" --output "${partial}/${file}" "${endpoint}/${name}/resolve/${revision}/${file}"; then
    return 0
  fi
  rm -f "${partial}/${file}"
  return 1
}

fetch config.json || { echo "error: ${name} has no config.json (wrong name, or no access?)" >&2; exit 1; }
fetch preprocessor_config.json || { echo "error: ${name} has no preprocessor_config.json" >&2; exit 1; }
for file in tokenizer.json tokenizer_config.json special_tokens_map.json vocab.txt vocab.json merges.txt; do
  fetch "${file}" 2>/dev/null || true
done

if fetch model.safetensors; then
  :
elif fetch model.safetensors.index.json; then
  shards=$(python3 -c 'import json, sys; print("\n".join(sorted(set(json.load(open(sys.argv[1]))["weight_map"].values()))))' \
    "${partial}/model.safetensors.index.json")
  while IFS= read -r shard; do
    case "${shard}" in
      */* | .* | "") echo "error: the index names an unexpected shard '${shard}'" >&2; exit 1 ;;
    esac
    fetch "${shard}" || { echo "error: shard ${shard} is missing" >&2; exit 1; }
  done <<<"${shards}"
elif fetch pytorch_model.bin; then
  :
else
  echo "error: ${name} has no model.safetensors, model.safetensors.index.json or pytorch_model.bin" >&2
  exit 1
fi

rm -rf "${dir}"
mv "${partial}" "${dir}"
echo "${name} is in ${dir}" >&2
