#!/usr/bin/env bash
# bench/gpu.sh: the CUDA engine's checks and benchmark (issue 20), on a machine with an NVIDIA GPU. Not part of CI.
#
# The GPU machine has no .NET, so the checks run as a self-contained linux-x64 publish of bench/SkyServe.Bench.Gpu (which
# also carries the replica agent):
#   here:   bash bench/gpu.sh --publish        # -> .gpu/bench.tgz (git-ignored)
#   there:  bash bench/gpu.sh [--shape 8b|1b] [--new-tokens N] [--batches 1,8,32,128]
# What runs there, in order (each step's output is also in $OUT/gpu.log when $OUT is set):
#   1. nvidia-smi.
#   2. The reference fixtures (tests/fixtures/tiny-llama, tiny-qwen2): logits within bf16 tolerance, greedy tokens exact,
#      alone and batched.
#   3. The replica agent with --engine cuda serving models/tiny-chat: a chat completion and a streamed one over HTTP, and
#      its /metrics (MBU, MFU, KV cache).
#   4. bench/gpu/make_model.py: a random-weight Llama model of the shape (8b: Llama 3.1 8B's), transformers' reference
#      outputs for it and transformers' generate() speed (the baseline).
#   5. The engine against those references (last logits, teacher-forced argmax, greedy tokens, batched against alone).
#   6. The benchmark: decode tokens/s at each batch size with the bandwidth bound and MBU, TTFT for 128- and 2048-token
#      prompts with the compute bound, transformers beside each; one JSON line at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "${1:-}" = --publish ]; then
  rm -rf artifacts/gpu-bench
  dotnet publish bench/SkyServe.Bench.Gpu -c Release -r linux-x64 --self-contained -nologo -v quiet -o artifacts/gpu-bench \
    -p:PublishReadyToRun=false -p:DebugType=none
  mkdir -p .gpu
  tar czf .gpu/bench.tgz -C artifacts gpu-bench
  ls -la .gpu/bench.tgz
  exit 0
fi

shape=8b new_tokens=64 batches=1,8,32,128
while [ $# -gt 0 ]; do
  case "$1" in
    --shape) shape=$2; shift 2 ;;
    --new-tokens) new_tokens=$2; shift 2 ;;
    --batches) batches=$2; shift 2 ;;
    *) echo "bench/gpu.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

work=${SKYSERVE_GPU_WORK:-/tmp/skyserve-gpu}
mkdir -p "$work"
log=${OUT:-$work}/gpu.log
exec > >(tee -a "$log") 2>&1
if [ -f .gpu/bench.tgz ]; then
  tar xzf .gpu/bench.tgz -C "$work"
  bench="$work/gpu-bench/SkyServe.Bench.Gpu"
else
  dotnet build bench/SkyServe.Bench.Gpu -c Release -nologo -v quiet
  bench="bench/SkyServe.Bench.Gpu/bin/Release/net10.0/SkyServe.Bench.Gpu"
fi
export DOTNET_gcServer=0 PYTHONUNBUFFERED=1
status=0

echo "== 1. the GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv || true

echo "== 2. reference fixtures"
timeout 150 "$bench" fixtures tests/fixtures/tiny-llama tests/fixtures/tiny-qwen2 2>&1 | tee "$work/fixtures.out" || status=1
if grep -qE "NVRTC could not compile|Unhandled exception" "$work/fixtures.out"; then echo "the engine does not run here: stopping"; exit 1; fi

echo "== 3. the agent with --engine cuda (models/tiny-chat)"
port_file="$work/agent.out"
"$bench" agent --port 0 --engine cuda --model models/tiny-chat --model-cache "$work/cache" >"$port_file" 2>&1 &
agent=$!
for _ in $(seq 1 120); do grep -q "listening on" "$port_file" && break; kill -0 $agent 2>/dev/null || break; sleep 0.5; done
cat "$port_file"
url=$(grep -o 'http://[0-9.:]*' "$port_file" | tail -1 || true)
if [ -n "$url" ]; then
  curl -sS "$url/v1/chat/completions" -H 'Content-Type: application/json' -d '{"messages":[{"role":"user","content":"What is SkyServe?"}],"max_tokens":40,"temperature":0}'; echo
  curl -sS -N "$url/v1/chat/completions" -H 'Content-Type: application/json' -d '{"messages":[{"role":"user","content":"What is the capital of Japan?"}],"max_tokens":12,"stream":true,"temperature":0.7,"seed":3}' | head -c 1500 || true; echo
  curl -sS "$url/metrics" | grep -E '^skyserve_(model_bandwidth|model_flops|kv_cache|generation_tokens|device)' || true
else
  echo "the agent did not start"; status=1
fi
kill $agent 2>/dev/null || true; wait $agent 2>/dev/null || true

echo "== 4. a random-weight $shape model, transformers' references and baseline"
model="$work/llama-$shape-random"
timeout 330 python3 bench/gpu/make_model.py --shape "$shape" --out "$model" --reference "$work/reference-$shape.json" --baseline "$work/baseline-$shape.json" --batches "$batches"

echo "== 5. the engine against transformers"
timeout 240 "$bench" compare --model "$model" --cache "$work/cache" --reference "$work/reference-$shape.json" || status=1

echo "== 6. benchmark"
timeout 200 "$bench" bench --model "$model" --cache "$work/cache" --baseline "$work/baseline-$shape.json" --batches "$batches" --new-tokens "$new_tokens"
exit $status
