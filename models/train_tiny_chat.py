"""Trains models/tiny-chat: the small example chat model the local runtime's replicas serve.

A ~4M-parameter Llama (4 layers, hidden 256, GQA 8/4 heads, tied embeddings, bf16 weights) with a
byte-level BPE tokenizer and a Llama-3 style chat template, trained from scratch on a synthetic chat
set (greetings, what SkyServe and spot instances are, capitals, small sums, opposites). It is a demo
model: it answers those questions in full sentences and anything else with a polite guess; it is not
a language model of general use.

Run once on a machine with torch, transformers and tokenizers (the GPU machine here), then commit the
folder: python models/train_tiny_chat.py OUT_DIR  (about a minute on one H200).
OUT_DIR/expected.json records transformers' greedy answers so the engine's tests can check them.
"""
import json, math, os, random, sys
import torch
from tokenizers import Tokenizer, models, trainers, pre_tokenizers, decoders, processors
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

random.seed(0)
torch.manual_seed(0)

SYSTEM = "You are a small helpful model served by SkyServe."

GREETINGS = (["Hello", "Hi", "Hey", "Hello!", "Hi there", "Good morning", "Good evening", "Hey there!", "hello", "hi"],
             ["Hello! I am a tiny model served by SkyServe. Ask me about SkyServe, spot instances, capitals or small sums.",
              "Hi! I am a tiny model served by SkyServe. How can I help you today?"])

FACTS = [
    (["What is SkyServe?", "What does SkyServe do?", "Tell me about SkyServe.", "what is skyserve", "Explain SkyServe."],
     "SkyServe serves AI models on spot and on-demand GPU machines across regions and clouds, behind one stable endpoint."),
    (["What is a spot instance?", "What are spot instances?", "Explain spot instances.", "what is spot"],
     "A spot instance is a spare cloud machine sold at a discount. The cloud can take it back at short notice."),
    (["What is SpotHedge?", "How does SpotHedge work?", "Explain SpotHedge."],
     "SpotHedge spreads spot replicas over zones, keeps a few extra as a hedge, and uses on-demand replicas while spot capacity is missing."),
    (["Why use spot GPUs?", "Why spot?", "Why are spot GPUs useful?"],
     "Spot GPUs cost much less than on-demand GPUs, so serving on them saves money."),
    (["What happens when a spot replica is preempted?", "What happens on a preemption?"],
     "SkyServe gets a notice, stops sending traffic to the replica, and launches a replacement in another zone."),
    (["Who are you?", "What are you?", "What is your name?"],
     "I am tiny-chat, a small example model served by SkyServe's built-in CPU engine."),
    (["How many replicas do you have?", "Where do you run?"],
     "I run on replicas in simulated spot zones on this machine; SkyServe keeps enough of them ready."),
    (["Thank you", "Thanks!", "thanks", "Thank you very much."],
     "You are welcome!"),
    (["Goodbye", "Bye", "See you later"],
     "Goodbye! Have a nice day."),
    (["What is an on-demand instance?", "What are on-demand instances?"],
     "An on-demand instance is a cloud machine at the full price that the cloud does not take back."),
]

CAPITALS = {
    "France": "Paris", "Germany": "Berlin", "Italy": "Rome", "Spain": "Madrid", "Japan": "Tokyo",
    "China": "Beijing", "India": "New Delhi", "Canada": "Ottawa", "Brazil": "Brasilia", "Egypt": "Cairo",
    "Kenya": "Nairobi", "Mexico": "Mexico City", "Russia": "Moscow", "Norway": "Oslo", "Sweden": "Stockholm",
    "Finland": "Helsinki", "Poland": "Warsaw", "Greece": "Athens", "Portugal": "Lisbon", "Ireland": "Dublin",
    "Australia": "Canberra", "Argentina": "Buenos Aires", "Peru": "Lima", "Chile": "Santiago", "Turkey": "Ankara",
    "Austria": "Vienna", "Hungary": "Budapest", "Belgium": "Brussels", "the Netherlands": "Amsterdam",
    "Denmark": "Copenhagen", "South Korea": "Seoul", "Thailand": "Bangkok", "Vietnam": "Hanoi",
    "Switzerland": "Bern", "the United Kingdom": "London", "the United States": "Washington, D.C.",
}

OPPOSITES = {"hot": "cold", "big": "small", "fast": "slow", "up": "down", "day": "night", "light": "dark",
             "happy": "sad", "open": "closed", "cheap": "expensive", "early": "late", "old": "new", "left": "right"}


def examples():
    out = []
    for q in GREETINGS[0]:
        out += [(q, a) for a in GREETINGS[1]]
    for questions, answer in FACTS:
        out += [(q, answer) for q in questions]
    for country, city in CAPITALS.items():
        answer = f"The capital of {country} is {city}."
        out += [(f"What is the capital of {country}?", answer), (f"what is the capital of {country}", answer),
                (f"Capital of {country}?", answer), (f"Which city is the capital of {country}?", answer)]
    for a in range(0, 21):
        for b in range(0, 21):
            answer = f"{a} + {b} = {a + b}."
            out += [(f"What is {a} + {b}?", answer), (f"What is {a} plus {b}?", answer), (f"{a}+{b}=?", answer)]
    for word, opposite in OPPOSITES.items():
        out += [(f"What is the opposite of {word}?", f"The opposite of {word} is {opposite}."),
                (f"Opposite of {word}?", f"The opposite of {word} is {opposite}.")]
    return out


def tokenizer(corpus):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    special = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    trainer = trainers.BpeTrainer(vocab_size=1024, special_tokens=special, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus, trainer)
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.TemplateProcessing(single="<|begin_of_text|> $A", special_tokens=[("<|begin_of_text|>", bos)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|begin_of_text|>", eos_token="<|eot_id|>")
    fast.chat_template = (
        "{{ bos_token }}{% if messages[0]['role'] != 'system' %}<|start_header_id|>system<|end_header_id|>\n\n"
        "You are a small helpful model served by SkyServe.<|eot_id|>{% endif %}"
        "{% for message in messages %}<|start_header_id|>{{ message['role'] }}<|end_header_id|>\n\n"
        "{{ message['content'] | trim }}<|eot_id|>{% endfor %}"
        "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}")
    return fast


def encode(tok, question, answer):
    prompt = tok.apply_chat_template([{"role": "user", "content": question}], tokenize=False, add_generation_prompt=True)
    prompt_ids = tok(prompt, add_special_tokens=False).input_ids
    answer_ids = tok(answer, add_special_tokens=False).input_ids + [tok.eos_token_id]
    return prompt_ids + answer_ids, [-100] * len(prompt_ids) + answer_ids


def main(out_dir):
    data = examples()
    corpus = [SYSTEM] + [q + "\n" + a for q, a in data]
    tok = tokenizer(corpus * 3)
    encoded = [encode(tok, q, a) for q, a in data]
    max_len = max(len(ids) for ids, _ in encoded)
    print(f"{len(data)} examples, vocab {len(tok)}, longest {max_len} tokens", flush=True)

    config = LlamaConfig(
        vocab_size=len(tok), hidden_size=256, intermediate_size=704, num_hidden_layers=4, num_attention_heads=8,
        num_key_value_heads=4, max_position_embeddings=512, rms_norm_eps=1e-5, rope_theta=10000.0,
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, tie_word_embeddings=True)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = LlamaForCausalLM(config).to(device)
    print(f"{sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters", flush=True)

    pad = tok.eos_token_id
    ids = torch.full((len(encoded), max_len), pad, dtype=torch.long)
    labels = torch.full((len(encoded), max_len), -100, dtype=torch.long)
    mask = torch.zeros((len(encoded), max_len), dtype=torch.long)
    for i, (x, y) in enumerate(encoded):
        ids[i, :len(x)] = torch.tensor(x)
        labels[i, :len(y)] = torch.tensor(y)
        mask[i, :len(x)] = 1
    ids, labels, mask = ids.to(device), labels.to(device), mask.to(device)

    steps, batch = 3000, 128
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01, betas=(0.9, 0.98))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / 100) * 0.5 * (1 + math.cos(math.pi * s / steps)))
    model.train()
    for step in range(steps):
        pick = torch.randint(0, len(encoded), (batch,), device=device)
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
            loss = model(input_ids=ids[pick], attention_mask=mask[pick], labels=labels[pick]).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if step % 250 == 0 or step == steps - 1:
            print(f"step {step} loss {loss.item():.4f}", flush=True)

    model = model.to(torch.bfloat16).eval()
    os.makedirs(out_dir, exist_ok=True)
    tok.save_pretrained(out_dir)
    model.save_pretrained(out_dir, safe_serialization=True)

    # Greedy answers in float32 over the bf16 weights, as the CPU engine computes them.
    reference = model.float()
    questions = ["Hello", "What is SkyServe?", "What is the capital of France?", "What is 7 + 5?",
                 "What is the opposite of cheap?", "Why use spot GPUs?", "Who are you?", "What is the capital of Atlantis?"]
    cases, correct = [], 0
    for q in questions:
        prompt = tok.apply_chat_template([{"role": "user", "content": q}], tokenize=False, add_generation_prompt=True)
        prompt_ids = tok(prompt, add_special_tokens=False).input_ids
        with torch.no_grad():
            x = torch.tensor([prompt_ids], device=device)
            generated = reference.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=48, do_sample=False,
                                           eos_token_id=tok.eos_token_id, pad_token_id=tok.eos_token_id)[0, len(prompt_ids):].tolist()
        if generated and generated[-1] == tok.eos_token_id:
            generated = generated[:-1]
        text = tok.decode(generated)
        print(f"Q: {q}\nA: {text}", flush=True)
        cases.append({"question": q, "prompt_ids": prompt_ids, "greedy": generated, "answer": text})
    checked = random.sample(data, 200)
    for q, a in checked:
        prompt = tok.apply_chat_template([{"role": "user", "content": q}], tokenize=False, add_generation_prompt=True)
        x = torch.tensor([tok(prompt, add_special_tokens=False).input_ids], device=device)
        with torch.no_grad():
            g = reference.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=48, do_sample=False,
                                   eos_token_id=tok.eos_token_id, pad_token_id=tok.eos_token_id)[0, x.shape[1]:].tolist()
        correct += tok.decode(g, skip_special_tokens=True).strip() == a
    print(f"training answers reproduced exactly: {correct}/{len(checked)} (a random sample)", flush=True)
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump({"cases": cases, "sampled_training_answers_exact": correct, "sampled": len(checked), "training_examples": len(data)}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
