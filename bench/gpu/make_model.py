"""bench/gpu.sh, step 1 (on the GPU machine): a random-weight Llama model in bf16, transformers' reference outputs for it,
and transformers' own speed on the same GPU as the baseline.

  python3 make_model.py --shape 8b --out DIR --reference FILE --baseline FILE [--new-tokens N] [--batches 1,8,32,128]

Writes DIR (config.json + safetensors, as save_pretrained does), FILE reference.json (per prompt: ids, the greedy
continuation, the last prompt position's logits, and the teacher-forced argmax and top-2 margin at every generated
position) and baseline.json (decode tokens/s per batch size, from two generate() runs so that prefill cancels out, and
TTFT per prompt length).
"""
import argparse
import json
import os
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

SHAPES = {
    # Llama 3.1 8B's shape
    "8b": dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8),
    "1b": dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8),
}


def make_config(shape):
    common = dict(vocab_size=128256, max_position_embeddings=131072, rms_norm_eps=1e-5, tie_word_embeddings=False,
                  bos_token_id=128000, eos_token_id=128001, **SHAPES[shape])
    rope = {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
            "original_max_position_embeddings": 8192}
    try:
        return LlamaConfig(rope_parameters=rope, **common)
    except TypeError:
        return LlamaConfig(rope_theta=500000.0, rope_scaling=rope, **common)


def timed(fn):
    torch.cuda.synchronize()
    start = time.perf_counter()
    out = fn()
    torch.cuda.synchronize()
    return time.perf_counter() - start, out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", default="8b", choices=SHAPES)
    parser.add_argument("--out", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--baseline", required=True)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--batches", default="1,8,32,128")
    parser.add_argument("--ttft", default="128,2048")
    args = parser.parse_args()

    torch.manual_seed(0)
    config = make_config(args.shape)
    torch.set_default_dtype(torch.bfloat16)
    clock = time.perf_counter()
    with torch.device("cuda"):
        model = LlamaForCausalLM(config)
    model.eval()
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = 0
    print(f"made a {sum(p.numel() for p in model.parameters()) / 1e9:.2f}B-parameter model in {time.perf_counter() - clock:.1f} s", flush=True)
    if not os.path.exists(os.path.join(args.out, "config.json")):
        clock = time.perf_counter()
        model.save_pretrained(args.out, max_shard_size="5GB")
        print(f"saved to {args.out} in {time.perf_counter() - clock:.1f} s", flush=True)

    generator = torch.Generator().manual_seed(1)
    prompts = [torch.randint(0, config.vocab_size, (n,), generator=generator).tolist() for n in (7, 33, 128, 300)]
    reference = {"prompts": []}
    with torch.no_grad():
        for ids in prompts:
            input_ids = torch.tensor([ids], device="cuda")
            greedy = model.generate(input_ids, attention_mask=torch.ones_like(input_ids), max_new_tokens=16, min_new_tokens=16, do_sample=False)[0, len(ids):].tolist()
            forced = torch.tensor([ids + greedy[:-1]], device="cuda")
            logits = model(forced).logits[0].float()
            rows = logits[len(ids) - 1:]
            top = rows.topk(2, dim=-1)
            reference["prompts"].append({
                "ids": ids,
                "greedy": greedy,
                "last_logits": [round(x, 5) for x in logits[len(ids) - 1].tolist()],
                "teacher_argmax": top.indices[:, 0].tolist(),
                "teacher_margin": (top.values[:, 0] - top.values[:, 1]).tolist(),
            })
    with open(args.reference, "w") as f:
        json.dump(reference, f)
    print(f"wrote {args.reference}", flush=True)

    baseline = {"decode": {}, "ttft": {}, "new_tokens": args.new_tokens, "transformers_generate": "eager (no torch.compile), default attention, dynamic cache"}
    with torch.no_grad():
        for batch in [int(b) for b in args.batches.split(",")]:
            input_ids = torch.randint(0, config.vocab_size, (batch, 128), generator=generator).cuda()
            mask = torch.ones_like(input_ids)
            run = lambda n: model.generate(input_ids, attention_mask=mask, max_new_tokens=n, min_new_tokens=n, do_sample=False)
            run(2)  # warm-up
            first, _ = timed(lambda: run(1))
            full, _ = timed(lambda: run(args.new_tokens))
            rate = batch * (args.new_tokens - 1) / (full - first)
            baseline["decode"][str(batch)] = rate
            print(f"transformers generate, batch {batch}: {rate:.1f} decode tokens/s", flush=True)
        for length in [int(n) for n in args.ttft.split(",")]:
            input_ids = torch.randint(0, config.vocab_size, (1, length), generator=generator).cuda()
            mask = torch.ones_like(input_ids)
            best = min(timed(lambda: model.generate(input_ids, attention_mask=mask, max_new_tokens=1, do_sample=False))[0] for _ in range(3))
            baseline["ttft"][str(length)] = best
            print(f"transformers TTFT, {length} tokens: {best * 1e3:.1f} ms", flush=True)
    with open(args.baseline, "w") as f:
        json.dump(baseline, f)


if __name__ == "__main__":
    main()
