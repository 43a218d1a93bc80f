// Drives a SkyServe agent (or the load balancer in front of it) with the official OpenAI Node client and
// prints what the client saw as one JSON object, for the .NET tests to assert on.
// Usage: node check.mjs BASE_URL MODEL QUESTION
import OpenAI from "openai";

const [baseURL, model, question] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "not-needed-locally", maxRetries: 0, timeout: 60_000 });
const messages = [{ role: "user", content: question }];

async function failure(call) {
  try {
    await call();
    return { thrown: false };
  } catch (e) {
    return {
      thrown: true,
      isApiError: e instanceof OpenAI.APIError,
      className: e.constructor.name,
      status: e.status ?? null,
      message: e.error?.message ?? null,
      type: e.error?.type ?? null,
      param: e.error?.param ?? null,
      code: e.error?.code ?? null,
    };
  }
}

const models = (await client.models.list()).data.map((m) => m.id);

const completion = await client.chat.completions.create({ model, messages, temperature: 0, max_tokens: 64 });

const stream = await client.chat.completions.create({
  model, messages, temperature: 0, max_tokens: 64, stream: true, stream_options: { include_usage: true },
});
let streamed = "";
let chunks = 0;
let streamFinish = null;
let streamUsage = null;
for await (const chunk of stream) {
  chunks++;
  for (const choice of chunk.choices) {
    streamed += choice.delta?.content ?? "";
    streamFinish = choice.finish_reason ?? streamFinish;
  }
  if (chunk.usage) streamUsage = chunk.usage;
}

const legacy = await client.completions.create({ model, prompt: "Spot instances are", max_tokens: 8, temperature: 0 });

const errors = {
  noMessages: await failure(() => client.chat.completions.create({ model, messages: [] })),
  badTemperature: await failure(() => client.chat.completions.create({ model, messages, temperature: 7 })),
  unknownModel: await failure(() => client.chat.completions.create({ model: "no-such-model", messages })),
  tooLong: await failure(() => client.chat.completions.create({ model, messages: [{ role: "user", content: "spot ".repeat(5000) }] })),
  streamTooLong: await failure(async () => {
    const s = await client.chat.completions.create({ model, messages: [{ role: "user", content: "spot ".repeat(5000) }], stream: true });
    for await (const _ of s) { /* drain */ }
  }),
};

console.log(JSON.stringify({
  models,
  completion: {
    object: completion.object,
    content: completion.choices[0].message.content,
    role: completion.choices[0].message.role,
    finish: completion.choices[0].finish_reason,
    usage: completion.usage,
  },
  stream: { content: streamed, chunks, finish: streamFinish, usage: streamUsage },
  legacy: { text: legacy.choices[0].text, finish: legacy.choices[0].finish_reason, usage: legacy.usage },
  errors,
}));
