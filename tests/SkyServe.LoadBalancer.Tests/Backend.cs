using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>A trivial replica on a real Kestrel port: names itself, counts hits, can be slow, stream SSE, answer 503 or die mid-answer.</summary>
public sealed class Backend : IAsyncDisposable
{
    private readonly WebApplication app;
    private int hits;

    private Backend(WebApplication app, string name)
    {
        this.app = app;
        Name = name;
    }

    public string Name { get; }
    public string Url { get; private set; } = "";
    public int Hits => hits;
    /// <summary>Every path (and query) that reached this backend, in order.</summary>
    public IReadOnlyCollection<string> Seen => seen;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> seen = new();
    /// <summary>The X-Forwarded-* headers of the last request, by lower-case name.</summary>
    public IReadOnlyDictionary<string, string> LastForwarded { get; private set; } = new Dictionary<string, string>();
    /// <summary>When set, every request is answered 503 (a replica that is overloaded or draining).</summary>
    public bool Refuse { get; set; }

    /// <summary>
    /// The /sse stream holds after its first event until this is released (or 5 s pass), so a test can tell
    /// an event that streamed through from one a buffering proxy delivered only after the stream ended.
    /// </summary>
    public TaskCompletionSource FirstEventSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// /sse-cut and /cut abort their connection once this is released (or 5 s pass): a test releases it when the
    /// part before the cut has reached it, since an abort may drop bytes not yet on the wire.
    /// </summary>
    public TaskCompletionSource CutNow { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set once the /sse stream has written its last event.</summary>
    public bool StreamEnded { get; private set; }

    public static async Task<Backend> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var backend = new Backend(app, name);
        app.Use((context, next) =>
        {
            backend.seen.Enqueue(context.Request.Path + context.Request.QueryString);
            backend.LastForwarded = context.Request.Headers.Where(h => h.Key.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            return next(context);
        });
        app.MapGet("/sse", async (HttpContext context) =>
        {
            Interlocked.Increment(ref backend.hits);
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 5; i++)
            {
                await context.Response.WriteAsync($"data: token-{i}\n\n");
                await context.Response.Body.FlushAsync();
                if (i == 0)
                    await Task.WhenAny(backend.FirstEventSeen.Task, Task.Delay(TimeSpan.FromSeconds(5)));
                await Task.Delay(100);
            }
            await context.Response.WriteAsync("data: [DONE]\n\n");
            backend.StreamEnded = true;
        });
        // A replica that dies mid-answer: some of the answer, then the connection is aborted without its end.
        app.MapGet("/sse-cut", async (HttpContext context) =>
        {
            Interlocked.Increment(ref backend.hits);
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 3; i++)
            {
                await context.Response.WriteAsync($"data: token-{i}\n\n");
                await context.Response.Body.FlushAsync();
            }
            await context.Response.WriteAsync("data: half an ev"); // cut in the middle of an event
            await context.Response.Body.FlushAsync();
            await Task.WhenAny(backend.CutNow.Task, Task.Delay(TimeSpan.FromSeconds(5)));
            context.Abort();
        });
        app.MapGet("/cut", async (HttpContext context) =>
        {
            Interlocked.Increment(ref backend.hits);
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("the first half of an answer");
            await context.Response.Body.FlushAsync();
            await Task.WhenAny(backend.CutNow.Task, Task.Delay(TimeSpan.FromSeconds(5)));
            context.Abort();
        });
        app.MapFallback(async context =>
        {
            Interlocked.Increment(ref backend.hits);
            if (backend.Refuse)
            {
                context.Response.StatusCode = 503;
                return;
            }
            if (context.Request.Query.ContainsKey("hold_after_first"))
            {
                await StreamChatAsync(context, backend);
                return;
            }
            if (int.TryParse(context.Request.Query["delay_ms"], out var delay))
                await Task.Delay(delay, context.RequestAborted);
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            await context.Response.WriteAsync($"{name}|{context.Request.Method}|{context.Request.Path}|{body}");
        });
        await app.StartAsync();
        backend.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return backend;
    }

    /// <summary>
    /// A chat completion streamed as vLLM does (?hold_after_first): the opening chunk and a keep-alive comment, then, once <see cref="FirstEventSeen"/>
    /// is released (or 5 s pass), four more and [DONE].
    /// </summary>
    private static async Task StreamChatAsync(HttpContext context, Backend backend)
    {
        context.Response.ContentType = "text/event-stream";
        string[] pieces = ["Hel", "lo", ", ", "wor", "ld"];
        for (var i = 0; i < pieces.Length; i++)
        {
            var role = i == 0 ? "\"role\":\"assistant\"," : "";
            var keepAlive = i == 0 ? ": keep-alive\n\n" : ""; // a comment in the same write: no event follows it yet
            await context.Response.WriteAsync(
                $"data: {{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{{role}\"content\":\"{pieces[i]}\"}},\"finish_reason\":{(i == pieces.Length - 1 ? "\"stop\"" : "null")}}}]}}\n\n{keepAlive}");
            await context.Response.Body.FlushAsync();
            if (i == 0)
                await Task.WhenAny(backend.FirstEventSeen.Task, Task.Delay(TimeSpan.FromSeconds(5)));
        }
        await context.Response.WriteAsync("data: [DONE]\n\n");
        backend.StreamEnded = true;
    }

    public async Task KillAsync() => await app.StopAsync(new CancellationToken(canceled: true));

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(new CancellationToken(canceled: true));
        await app.DisposeAsync();
    }
}
