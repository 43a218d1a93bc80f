#!/usr/bin/env python3
"""Steady load of streaming greedy chat completions for bench/preemption.sh (standard library only).

  load.py reference AGENT_URL PROMPTS_FILE MAX_TOKENS OUT_JSON
      the uninterrupted reference: each prompt once, on one replica agent that nothing preempts
  load.py run LB_URL SERVICE PROMPTS_FILE MAX_TOKENS CONCURRENCY DURATION_S OUT_JSONL
      CONCURRENCY clients, each sending one request after the other for DURATION_S; one JSON line per request:
      prompt index, ok, why not, text, TTFT and end-to-end seconds
  load.py summary REFERENCE_JSON RESULTS_JSONL
      one JSON object: requests, failures, mismatches, TTFT and end-to-end p50/p90/p99
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse


def body(prompt, max_tokens):
    return json.dumps({
        "messages": [{"role": "user", "content": prompt}],
        "temperature": 0,
        "max_tokens": max_tokens,
        "ignore_eos": True,  # every answer is max_tokens long: many requests stay in flight
        "stream": True,
    })


def stream_chat(base, path, prompt, max_tokens, timeout=600):
    """One streamed chat completion: (ok, why_not, text, ttft_s, e2e_s)."""
    url = urllib.parse.urlparse(base)
    started = time.monotonic()
    ttft = None
    text = []
    try:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
        conn.request("POST", path, body(prompt, max_tokens), {"Content-Type": "application/json"})
        response = conn.getresponse()
        if response.status != 200:
            return False, f"status {response.status}", "", None, time.monotonic() - started
        done = False
        error = None
        for raw in response:
            line = raw.decode("utf-8").rstrip("\r\n")
            if not line.startswith("data: "):
                continue
            data = line[6:]
            if data == "[DONE]":
                done = True
                break
            chunk = json.loads(data)
            if "error" in chunk:
                error = chunk["error"].get("code") or "error event"
                break
            for choice in chunk.get("choices", []):
                piece = (choice.get("delta") or {}).get("content") or ""
                if piece and ttft is None:
                    ttft = time.monotonic() - started
                text.append(piece)
        conn.close()
        e2e = time.monotonic() - started
        if error:
            return False, error, "".join(text), ttft, e2e
        if not done:
            return False, "no [DONE]", "".join(text), ttft, e2e
        return True, None, "".join(text), ttft, e2e
    except Exception as e:  # a reset connection, a timeout: what the client sees
        return False, type(e).__name__, "".join(text), ttft, time.monotonic() - started


def reference(agent_url, prompts_file, max_tokens, out):
    prompts = json.load(open(prompts_file))
    texts = []
    for prompt in prompts:
        ok, why, text, _, _ = stream_chat(agent_url, "/v1/chat/completions", prompt, max_tokens)
        if not ok:
            sys.exit(f"load.py: the reference run failed: {why}")
        texts.append(text)
    json.dump(texts, open(out, "w"))


def run(lb_url, service, prompts_file, max_tokens, concurrency, duration, out):
    prompts = json.load(open(prompts_file))
    deadline = time.monotonic() + duration
    lock = threading.Lock()
    sink = open(out, "w")
    counter = [0]

    def client(worker):
        while time.monotonic() < deadline:
            with lock:
                index = counter[0] % len(prompts)
                counter[0] += 1
            ok, why, text, ttft, e2e = stream_chat(lb_url, f"/{service}/v1/chat/completions", prompts[index], max_tokens)
            with lock:
                sink.write(json.dumps({"prompt": index, "ok": ok, "why": why, "text": text, "ttft_s": ttft, "e2e_s": e2e}) + "\n")
                sink.flush()
            if why == "status 503":
                time.sleep(1)  # the load balancer's Retry-After: a client waits before it asks again

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sink.close()


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summary(reference_file, results_file):
    texts = json.load(open(reference_file))
    results = [json.loads(line) for line in open(results_file) if line.strip()]
    failures = [r for r in results if not r["ok"]]
    mismatches = [r for r in results if r["ok"] and r["text"] != texts[r["prompt"]]]
    ok = [r for r in results if r["ok"]]
    ttft = [r["ttft_s"] for r in ok if r["ttft_s"] is not None]
    e2e = [r["e2e_s"] for r in ok]
    why = {}
    for r in failures:
        why[r["why"]] = why.get(r["why"], 0) + 1
    print(json.dumps({
        "requests": len(results), "failures": len(failures), "mismatches": len(mismatches), "failure_kinds": why,
        "ttft_p50_s": percentile(ttft, 50), "ttft_p90_s": percentile(ttft, 90), "ttft_p99_s": percentile(ttft, 99),
        "p50_s": percentile(e2e, 50), "p90_s": percentile(e2e, 90), "p99_s": percentile(e2e, 99),
    }))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "reference":
        reference(args[0], args[1], int(args[2]), args[3])
    elif command == "run":
        run(args[0], args[1], args[2], int(args[3]), int(args[4]), float(args[5]), args[6])
    elif command == "summary":
        summary(args[0], args[1])
    else:
        sys.exit(f"load.py: unknown command {command}")
