#!/usr/bin/env bash
# bench/agent.sh: replica-agent benchmark (issue 6, items 4 and 8). Run from anywhere: bash bench/agent.sh [options]
#
# What it measures (bench/SkyServe.Bench.Agent, our C# over the real engine; not a test):
#   0. Generates a ~100M-parameter Llama-shaped model with random weights (hidden 768, 12 layers, intermediate
#      2048, 12 heads, 4 KV heads, vocab 32000, tied embeddings; BF16 safetensors by default) with the tiny-llama
#      fixture's tokenizer padded to the vocabulary, in $TMPDIR/skyserve-bench-agent (kept between runs).
#   1. Peak memory read bandwidth (every core summing a 1 GiB array) and float32 FMA throughput, measured three
#      times over the run; the best is kept.
#   2. Checkpoint loading of the same weights: a plain sequential read of the safetensors file with a 16 MiB
#      buffer (`cat > /dev/null`; the ceiling), the same read into newly allocated memory (what any loader pays
#      on top: first-touch page faults), the engine's safetensors reader, and the packed layout of a
#      checkpoint-store entry (default options, and with O_DIRECT) — cold (page cache dropped before every run;
#      needs root) and warm. GB/s and ratios to the plain read and to safetensors; the goal is >= 80% of plain.
#   3. Through the engine's ContinuousBatcher: TTFT of one 128-token prompt, and decode tokens/s at batch 1, 8
#      and 32 (128-token prompts, greedy, ignore_eos), each beside its bound on this machine: tokens/s <=
#      batch x bandwidth / (weight bytes as the engine holds them, BF16 staying BF16, + KV bytes read per step),
#      and the utilization (MBU); beside it the compute bound (peak FMA / FLOPs per token) and MFU, which is
#      what limits large batches and TTFT.
# Decode figures come twice: over the wall time of the window in which the whole batch decodes (median), and
# from the 10th-percentile step time ("fast steps"): on a shared machine the fast steps show what the engine does
# when nothing else runs. As root the benchmark runs at nice -10 for the same reason.
#
# Options (passed through): --dtype bf16|f32  --runs N (load runs, 5)  --prompt-tokens N (128)
#   --new-tokens N (48)  --batches 1,8,32  --layers N (12)  --vocab N (32000)  --skip-load  --skip-decode
#   --dir DIR (where the model and its cache go)
# Output: progress on stderr; Markdown tables, then one JSON line with the headline numbers, on stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dotnet build bench/SkyServe.Bench.Agent -c Release -nologo -v quiet >&2
priority=()
if [ "$(id -u)" = 0 ]; then priority=(nice -n -10); fi
exec "${priority[@]}" dotnet bench/SkyServe.Bench.Agent/bin/Release/net10.0/SkyServe.Bench.Agent.dll "$@"
