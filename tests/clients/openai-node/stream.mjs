// Streams one greedy chat completion with the official OpenAI Node client and prints what the client saw as one JSON
// object (the load balancer's resumption tests cut the stream under it and compare with an uninterrupted run).
// Usage: node stream.mjs BASE_URL MODEL QUESTION MAX_TOKENS
import OpenAI from "openai";

const [baseURL, model, question, maxTokens] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "not-needed-locally", maxRetries: 0, timeout: 60_000 });
const stream = await client.chat.completions.create({
  model,
  messages: [{ role: "user", content: question }],
  temperature: 0,
  max_tokens: Number(maxTokens),
  ignore_eos: true, // vLLM's extension, which the built-in engine knows: a long answer to cut
  stream: true,
  stream_options: { include_usage: true },
});
let content = "";
let chunks = 0;
let finish = null;
let usage = null;
const ids = new Set();
for await (const chunk of stream) {
  chunks++;
  ids.add(chunk.id);
  for (const choice of chunk.choices) {
    content += choice.delta?.content ?? "";
    finish = choice.finish_reason ?? finish;
  }
  if (chunk.usage) usage = chunk.usage;
}
console.log(JSON.stringify({ content, chunks, finish, usage, ids: ids.size }));
