using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SkyServe.LoadBalancer.Tests.Resumption;

/// <summary>
/// How a relayed stream is cut: after how many tokens, and whether the connection resets, the stream just ends, or it
/// ends with the agent's drain marker (<c>skyserve_migrate</c>: the replica will not finish before its deadline).
/// </summary>
public sealed record StreamCut(int AfterTokens, bool Reset = false, bool Migrate = false);

/// <summary>The cuts to come, shared by the relays: each stream a relay starts takes the next one (none left: it runs whole).</summary>
public sealed class CutPlan(params StreamCut[] cuts)
{
    private readonly ConcurrentQueue<StreamCut> cuts = new(cuts);
    private int made;

    public StreamCut? Take() => cuts.TryDequeue(out var cut) ? cut : null;
    public int Made => Volatile.Read(ref made);
    public void Count() => Interlocked.Increment(ref made);
}

/// <summary>
/// A replica as the load balancer sees it, in front of a real agent on a real Kestrel port: it relays requests and SSE
/// answers event by event, and cuts a stream after a given number of tokens (counted from the ids the agent reports,
/// or one per event when it reports none), as a preempted replica does: by a reset, or by ending without [DONE].
/// </summary>
public sealed class CuttingRelay : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly WebApplication app;

    private CuttingRelay(WebApplication app) => this.app = app;

    public string Url { get; private set; } = "";

    public static async Task<CuttingRelay> StartAsync(string target, CutPlan plan)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(context => RelayAsync(context, target.TrimEnd('/'), plan));
        await app.StartAsync();
        return new CuttingRelay(app) { Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() };
    }

    private static async Task RelayAsync(HttpContext context, string target, CutPlan plan)
    {
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target + context.Request.Path + context.Request.QueryString)
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
        foreach (var (key, value) in context.Request.Headers)
            if (key.StartsWith("X-SkyServe", StringComparison.OrdinalIgnoreCase))
                request.Headers.TryAddWithoutValidation(key, (IEnumerable<string?>)value);
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            await response.Content.CopyToAsync(context.Response.Body);
            return;
        }
        var cut = plan.Take();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var tokens = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            await context.Response.WriteAsync(line + "\n");
            if (line.StartsWith("data: {", StringComparison.Ordinal))
                tokens += JsonNode.Parse(line[6..])!["skyserve_token_ids"] is JsonArray ids ? ids.Count : 1;
            if (line.Length > 0)
                continue;
            await context.Response.Body.FlushAsync();
            if (cut is not null && tokens >= cut.AfterTokens)
            {
                plan.Count();
                if (cut.Migrate)
                    await context.Response.WriteAsync("data: {\"skyserve_migrate\":{\"reason\":\"interruption notice\"}}\n\n");
                if (cut.Reset)
                    context.Abort();
                return; // either way the agent's stream is dropped mid-answer, without [DONE]
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(new CancellationToken(canceled: true));
        await app.DisposeAsync();
    }
}
