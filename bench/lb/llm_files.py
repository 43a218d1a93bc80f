#!/usr/bin/env python3
"""bench/lb/llm_files.py DIR: writes the LLM-shaped traffic of bench/lb.sh into DIR.

- chat.json, chat-stream.json: a 2 KB OpenAI chat completion request (a system prompt and a few turns),
  without and with "stream": true;
- post.lua, sse.lua: wrk scripts that POST them (lb.sh gives wrk the URL: /v1/chat/completions, with ?sse=1 for the stream);
- llm-answers.conf: the backends' nginx locations answering them: a 1 KB chat.completion JSON, or
  with ?sse=1 an event stream of 200 chat.completion.chunk events and `data: [DONE]`, each event
  flushed on its own (the echo module), as fast as nginx writes them; with ?sse=paced 10 events 1 ms
  apart (a fast model's decode), for the time to first token: it measures the proxy's hop, not how
  it keeps up with a burst.
"""
import json
import os
import sys

CHUNKS = 200
PACED_CHUNKS = 10


def request(stream):
    turns = [
        {"role": "system", "content": "You are a concise assistant for an operations team. " * 8},
        {"role": "user", "content": "Summarise the replica states of the chat service and what changed in the last hour. " * 4},
        {"role": "assistant", "content": "Two replicas are READY in us-east-1; one spot replica was preempted and replaced. " * 4},
    ]
    body = {"model": "bench-model", "messages": turns, "max_tokens": 256, "temperature": 0, "stream": stream}
    # Pad the last user turn so that the body is 2 KB whatever the flag.
    base = len(json.dumps({**body, "messages": turns + [{"role": "user", "content": ""}]}).encode())
    body["messages"] = turns + [{"role": "user", "content": "x" * (2048 - base)}]
    text = json.dumps(body)
    assert len(text.encode()) == 2048, len(text.encode())
    return text


def answer():
    message = {"role": "assistant", "content": ""}
    body = {"id": "chatcmpl-bench", "object": "chat.completion", "created": 1767225600, "model": "bench-model",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 512, "completion_tokens": 180, "total_tokens": 692}}
    message["content"] = "y" * (1024 - len(json.dumps(body).encode()))
    text = json.dumps(body)
    assert len(text.encode()) == 1024, len(text.encode())
    return text


def chunk(i):
    return json.dumps({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1767225600, "model": "bench-model",
                       "choices": [{"index": 0, "delta": {"content": f" tok{i}"}, "finish_reason": None}]})


def nginx_string(text):
    # Single-quoted nginx strings: only \ and ' need escaping; \n is nginx's own escape.
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, stream in (("chat.json", False), ("chat-stream.json", True)):
        with open(os.path.join(out, name), "w") as f:
            f.write(request(stream))
    for name, body in (("post.lua", "chat.json"), ("sse.lua", "chat-stream.json")):
        with open(os.path.join(out, name), "w") as f:
            f.write(f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                    f'local f = assert(io.open("{os.path.join(out, body)}", "rb"))\nwrk.body = f:read("*a")\nf:close()\n')
    lines = ["location = /v1/chat/completions {",
             "    if ($arg_sse = paced) {",
             "        rewrite ^ /__bench_paced last;",
             "    }",
             "    if ($arg_sse) {",
             "        rewrite ^ /__bench_sse last;",
             "    }",
             "    default_type application/json;",
             f"    return 200 {nginx_string(answer())};",
             "}",
             "location = /__bench_sse {",
             "    internal;",
             "    default_type text/event-stream;",
             "    echo_read_request_body;"]
    for i in range(CHUNKS):
        lines.append(f"    echo -n {nginx_string('data: ' + chunk(i))[:-1]}\\n\\n';")  # one argument: echo joins several with spaces
        lines.append("    echo_flush;")
    lines.append("    echo -n 'data: [DONE]\\n\\n';")
    lines.append("}")
    lines += ["location = /__bench_paced {",
              "    internal;",
              "    default_type text/event-stream;",
              "    echo_read_request_body;"]
    for i in range(PACED_CHUNKS):
        if i > 0:
            lines.append("    echo_sleep 0.001;")
        lines.append(f"    echo -n {nginx_string('data: ' + chunk(i))[:-1]}\\n\\n';")
        lines.append("    echo_flush;")
    lines.append("    echo -n 'data: [DONE]\\n\\n';")
    lines.append("}")
    with open(os.path.join(out, "llm-answers.conf"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
