using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Probing;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Tests.SpecKeys;

/// <summary>
/// A replica stand-in on a real loopback port that records what the controller's readiness prober sends it. Paths under
/// /slow answer after 3 s, so that a probe's timeout shows in its result.
/// </summary>
internal sealed class ProbeCapture : IAsyncDisposable
{
    private static readonly HashSet<string> TransportHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Connection", "Transfer-Encoding", "traceparent", "tracestate",
    };
    private readonly WebApplication app;
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false });
    private readonly ReadinessProber prober;
    private JsonObject? last;

    private ProbeCapture(WebApplication app)
    {
        this.app = app;
        prober = new ReadinessProber(http);
        Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public string Url { get; }

    public static async Task<ProbeCapture> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        ProbeCapture? capture = null;
        app.Run(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            var headers = new JsonObject();
            foreach (var (name, value) in context.Request.Headers.Where(h => !TransportHeaders.Contains(h.Key)).OrderBy(h => h.Key, StringComparer.Ordinal))
                headers[name] = value.ToString();
            capture!.last = new JsonObject { ["method"] = context.Request.Method, ["path"] = context.Request.Path.Value, ["body"] = body, ["headers"] = headers };
            if (context.Request.Path.StartsWithSegments("/slow"))
                await Task.Delay(TimeSpan.FromSeconds(3));
        });
        await app.StartAsync();
        capture = new ProbeCapture(app);
        return capture;
    }

    /// <summary>What one probe sent and what it concluded.</summary>
    public JsonObject Probe(ReadinessProbeSpec probe)
    {
        last = null;
        var result = prober.ProbeAsync(Url, probe, CancellationToken.None).GetAwaiter().GetResult();
        return new JsonObject { ["request"] = last?.DeepClone(), ["ready"] = result.Ok };
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
