using System.Text.Json.Nodes;
using SkyServe.Contracts.Resumption;
using SkyServe.Inference.Generation;
using SkyServe.Inference.Serving;
using SkyServe.ReplicaAgent.Health;

namespace SkyServe.ReplicaAgent.Endpoints.OpenAi;

/// <summary>The OpenAI-compatible API over the built-in engine: /v1/models, /v1/completions, /v1/chat/completions.</summary>
public static class OpenAiEndpoints
{
    private static readonly string[] Paths = ["/v1/models", "/v1/completions", "/v1/chat/completions"];

    /// <summary>Whether a path is one of this API's (a spec's readiness probe often names /v1/models).</summary>
    public static bool Serves(string path) => Paths.Contains(path.TrimEnd('/'), StringComparer.OrdinalIgnoreCase);

    /// <param name="maxRequestBytes">The largest request body read; a larger one is answered 413.</param>
    public static IEndpointRouteBuilder MapOpenAi(this IEndpointRouteBuilder app, InferenceEngine engine, int maxRequestBytes)
    {
        var time = app.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        app.MapGet("/v1/models", () => Results.Json(new
        {
            @object = "list",
            data = new[] { new { id = engine.Name, @object = "model", created, owned_by = "skyserve", max_model_len = engine.ContextWindow } },
        }));
        app.MapPost("/v1/completions", (Delegate)((HttpContext http) => Guard(http, () => CompleteAsync(http, engine, time.GetUtcNow().ToUnixTimeSeconds(), maxRequestBytes))));
        app.MapPost("/v1/chat/completions", (Delegate)((HttpContext http) => Guard(http, () => ChatAsync(http, engine, time, maxRequestBytes))));
        return app;
    }

    private static async Task<IResult> Guard(HttpContext http, Func<Task<IResult>> handle)
    {
        if (http.RequestServices.GetService<AgentState>()?.Interruption is { } notice)
        {
            // No new work on a machine about to go: the load balancer takes a 503 to another replica.
            http.Response.Headers.RetryAfter = "1";
            return new OpenAiError(503, $"this replica is being interrupted at {notice.Time:O} and takes no new generations",
                code: "replica_interrupted", type: "server_error").ToResult();
        }
        try
        {
            return await handle();
        }
        catch (OpenAiError e)
        {
            return e.ToResult();
        }
        catch (ContextWindowExceededException e)
        {
            return new OpenAiError(400, e.Message, "messages", "context_length_exceeded").ToResult();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException && e.Source == "System.Text.Json")
        {
            // A JSON node of a shape no check above foresaw (e.g. indexing a value that is not an object): the client's mistake.
            return new OpenAiError(400, $"the request body does not have the expected shape: {e.Message}").ToResult();
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty; // the client left; the batcher dropped its sequence
        }
    }

    private static async Task<IResult> CompleteAsync(HttpContext http, InferenceEngine engine, long created, int maxRequestBytes)
    {
        var body = await RequestReader.ReadAsync(http.Request, maxRequestBytes, http.RequestAborted);
        CheckModel(body, engine);
        var prompt = body["prompt"] switch
        {
            JsonValue v when v.TryGetValue<string>(out var text) => text,
            JsonArray { Count: 1 } one when one[0] is JsonValue v && v.TryGetValue<string>(out var text) => text,
            null => throw new OpenAiError(400, "prompt is required", "prompt"),
            _ => throw new OpenAiError(400, "prompt must be a string (batches of prompts are not supported)", "prompt"),
        };
        var resume = ResumeRequest.Read(body);
        if (resume is not null)
            prompt = resume.OriginalPrompt(prompt);
        var ids = PromptBounds.Encode(engine, prompt, addSpecialTokens: true, "prompt");
        var sampling = RequestReader.Sampling(body, defaultMaxTokens: Math.Max(1, 16 - (resume?.TokenIds.Count ?? 0)));
        var stream = RequestReader.Stream(body);
        // Cancelled once the answer is out: a generation that moved to another replica must not run on here.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        var generation = engine.Batcher.Submit(ids, resume?.Sampling(sampling) ?? sampling, stopping.Token, resume?.Prefix(engine), ReportsTokens(http, stream));
        var id = $"cmpl-{Guid.NewGuid():N}";
        var answer = await CompletionStream.AnswerAsync(http, generation, stream, RequestReader.IncludeUsageInStream(body),
            (delta, finish, _) => new { id, @object = "text_completion", created, model = engine.Name, choices = new[] { new { index = 0, text = delta, logprobs = (object?)null, finish_reason = finish } } },
            (text, finish, usage) => new { id, @object = "text_completion", created, model = engine.Name, choices = new[] { new { index = 0, text, logprobs = (object?)null, finish_reason = finish } }, usage },
            usage => new { id, @object = "text_completion", created, model = engine.Name, choices = Array.Empty<object>(), usage });
        await stopping.CancelAsync();
        return answer;
    }

    private static async Task<IResult> ChatAsync(HttpContext http, InferenceEngine engine, TimeProvider time, int maxRequestBytes)
    {
        var body = await RequestReader.ReadAsync(http.Request, maxRequestBytes, http.RequestAborted);
        CheckModel(body, engine);
        var resume = ResumeRequest.Read(body);
        var continueFinal = RequestReader.ContinueFinalMessage(body);
        var prompt = resume is not null
            ? ChatPrompt.Render(engine, resume.OriginalMessages(body["messages"])) // the ids continue the answer, not its text
            : ChatPrompt.Render(engine, body["messages"], continueFinal);
        // The template writes the BOS token itself when the model wants one.
        var ids = PromptBounds.Encode(engine, prompt, addSpecialTokens: false, "messages");
        // By default the answer may fill the rest of the window; a prompt that fills it alone is refused by the batcher's check.
        var prior = resume?.TokenIds.Count ?? 0;
        var sampling = RequestReader.Sampling(body, defaultMaxTokens: Math.Max(1, engine.ContextWindow - ids.Count - prior));
        var stream = RequestReader.Stream(body);
        // Cancelled once the answer is out: a generation that moved to another replica must not run on here.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        var generation = engine.Batcher.Submit(ids, resume?.Sampling(sampling) ?? sampling, stopping.Token, resume?.Prefix(engine), ReportsTokens(http, stream));
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var answer = await CompletionStream.AnswerAsync(http, generation, stream, RequestReader.IncludeUsageInStream(body),
            (delta, finish, first) => new
            {
                id, @object = "chat.completion.chunk", created, model = engine.Name,
                choices = new[] { new { index = 0, delta = first ? new { role = (string?)"assistant", content = (string?)delta } : new { role = (string?)null, content = finish is null || delta.Length > 0 ? (string?)delta : null }, logprobs = (object?)null, finish_reason = finish } },
            },
            (text, finish, usage) => new
            {
                id, @object = "chat.completion", created, model = engine.Name,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, logprobs = (object?)null, finish_reason = finish } },
                usage,
            },
            usage => new { id, @object = "chat.completion.chunk", created, model = engine.Name, choices = Array.Empty<object>(), usage });
        await stopping.CancelAsync();
        return answer;
    }

    /// <summary>The load balancer tracks the sampled ids of a stream, to continue it token for token elsewhere (<see cref="ResumeProtocol"/>).</summary>
    private static bool ReportsTokens(HttpContext http, bool stream) => stream && http.Request.Headers.ContainsKey(ResumeProtocol.TokenIdsHeader);

    private static void CheckModel(JsonObject body, InferenceEngine engine)
    {
        var model = RequestReader.Model(body);
        if (model is not null && model != engine.Name)
            throw new OpenAiError(404, $"the model '{model}' does not exist; this server serves '{engine.Name}'", "model", "model_not_found");
    }
}
