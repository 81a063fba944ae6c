#!/bin/bash -eu
# Builds trampfuzz's Go fuzz targets as libFuzzer binaries for
# ClusterFuzzLite / OSS-Fuzz, and their seed corpora.
#
# compile_native_go_fuzzer (OSS-Fuzz base-builder-go) rewrites the _test.go
# file that declares a target so that *testing.F comes from
# github.com/AdamKorcz/go-118-fuzz-build/testing, builds it with
# go-118-fuzz-build and links it against libFuzzer. Limits, documented in
# the README ("Scale-out"):
#   - f.Add seeds are ignored; the seed corpus comes from corpus/cases as a
#     <fuzzer>_seed_corpus.zip, each case written as a FuzzCheck input in
#     the consumer's []byte encoding (a big-endian uint32 length first);
#   - the []byte argument is read through a go-fuzz-headers consumer, so
#     libFuzzer inputs are not interchangeable with testdata/fuzz files;
#   - TRAMPFUZZ_STRICT is read from the environment of the fuzzer process.
#
# Outside the OSS-Fuzz image (no compile_native_go_fuzzer), the script
# checks what it can with the local Go toolchain: every target's package
# builds as a test binary and lists the target.

targets=(
  "github.com/trampfuzz/trampfuzz/fuzz FuzzCheck fuzz_check"
  "github.com/trampfuzz/trampfuzz/fuzz FuzzCorpusFile fuzz_corpus_file"
  "github.com/trampfuzz/trampfuzz/fuzz FuzzBTFLoad fuzz_btf_load"
  "github.com/trampfuzz/trampfuzz/ctype FuzzParse fuzz_parse"
  "github.com/trampfuzz/trampfuzz/pahole FuzzLoad fuzz_pahole_load"
)

out=${OUT:-$(mktemp -d)}
mkdir -p "$out"

if command -v compile_native_go_fuzzer >/dev/null; then
  go get github.com/AdamKorcz/go-118-fuzz-build/testing
  for t in "${targets[@]}"; do
    # shellcheck disable=SC2086
    compile_native_go_fuzzer $t
  done
else
  echo "build.sh: compile_native_go_fuzzer not found: checking with the local Go toolchain only" >&2
  for t in "${targets[@]}"; do
    read -r pkg func bin <<<"$t"
    go test -c -o "$out/$bin.test" "$pkg"
    "$out/$bin.test" -test.list "^$func\$" | grep -qx "$func" || { echo "build.sh: $pkg has no $func" >&2; exit 1; }
  done
fi

# Seed corpus for FuzzCheck: every case of corpus/cases.
seeds=$(mktemp -d)
go run ./cmd/trampfuzz corpus export -format libfuzzer "$seeds"
if command -v zip >/dev/null; then
  (cd "$seeds" && zip -q -r "$out/fuzz_check_seed_corpus.zip" .)
else
  tar -C "$seeds" -czf "$out/fuzz_check_seed_corpus.tgz" .
fi
echo "build.sh: built into $out"
