using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Reconcile;
using SkyServe.Controller.Routing;
using SkyServe.Testing;

namespace SkyServe.Bench.ServiceList;

/// <param name="IdleCpuPercent">The process's CPU while no request runs (the routing table's recompute), % of one core.</param>
/// <param name="CpuMsPerRequest">The process's CPU per request (client and server, idle share taken off): what wall times are made of
/// when the machine's cores are not shared.</param>
/// <param name="RoutingTable">Whether the controller's routing table was recomputing (as always) or stopped (the list alone).</param>
internal sealed record LatencyResult(string Engine, bool RoutingTable, int Pages, double WalkMs, double P50Ms, double P90Ms, double P99Ms, double MaxMs, double MeanMs,
    double IdleCpuPercent, double CpuMsPerRequest);

/// <summary>
/// A controller on a loopback Kestrel port (reconcile off; its routing table recomputing every 200 ms as always), seeded,
/// then GET /api/v1/services?limit=N over every page in turn, one request at a time; again with the routing table stopped.
/// </summary>
internal static partial class ListLatency
{
    private const string Token = "sks_bench";

    /// <returns>As deployed, then with the routing table stopped to show what the list costs by itself.</returns>
    public static async Task<IReadOnlyList<LatencyResult>> RunAsync(string engine, BenchOptions options, PostgresServer? postgres, Action<string> progress)
    {
        using var data = new TempDirectory();
        await using var app = await ControllerHost.BuildAsync(new ControllerOptions
        {
            DataDirectory = data.Path, ApiToken = Token, Urls = "http://127.0.0.1:0",
            PostgresConnectionString = engine == "postgres" ? postgres!.NewDatabase("bench") : null,
            Reconcile = new ReconcileOptions { Enabled = false },
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        progress($"{engine}: seeding {options.Services} services x {options.Replicas} replicas");
        var seeding = Stopwatch.StartNew();
        await Seed.AddAsync(app.Services, options.Services, options.Replicas);
        progress($"{engine}: seeded in {seeding.Elapsed.TotalSeconds:0.0} s");

        using var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        // One walk finds every page's URL (and warms up); a second is timed as a whole.
        var pages = await WalkAsync(http, options.Limit);
        var walk = Stopwatch.StartNew();
        await WalkAsync(http, options.Limit);
        var walkMs = walk.Elapsed.TotalMilliseconds;
        for (var i = 0; i < 20; i++)
            await GetAsync(http, pages[i % pages.Count]);
        var deployed = await MeasureAsync(http, pages, options.Requests);
        // The routing table reads every service, READY replica and current version each 200 ms: stopped, the list runs alone.
        await app.Services.GetRequiredService<RoutingTable>().StopAsync(CancellationToken.None);
        var alone = await MeasureAsync(http, pages, options.Requests);
        await app.StopAsync();
        return [Result(engine, true, pages.Count, walkMs, deployed), Result(engine, false, pages.Count, walkMs, alone)];
    }

    private static LatencyResult Result(string engine, bool routingTable, int pages, double walkMs, (List<double> Times, double Idle, double CpuMs) m)
    {
        var times = m.Times;
        times.Sort();
        double At(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
        return new LatencyResult(engine, routingTable, pages, walkMs, At(0.50), At(0.90), At(0.99), times[^1], times.Average(),
            m.Idle * 100, m.CpuMs / times.Count);
    }

    private static async Task<(List<double> Times, double Idle, double CpuMs)> MeasureAsync(HttpClient http, List<string> pages, int requests)
    {
        var idle = await IdleCpuShareAsync(TimeSpan.FromSeconds(3));
        var times = new List<double>();
        var (cpu0, wall) = (Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.StartNew());
        for (var i = 0; i < requests; i++)
        {
            var clock = Stopwatch.StartNew();
            await GetAsync(http, pages[i % pages.Count]);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds - idle * wall.Elapsed.TotalMilliseconds;
        return (times, idle, cpuMs);
    }

    /// <returns>CPU seconds the process spends per second while nothing asks it anything.</returns>
    private static async Task<double> IdleCpuShareAsync(TimeSpan window)
    {
        var (cpu0, wall) = (Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.StartNew());
        await Task.Delay(window);
        return (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / wall.Elapsed.TotalMilliseconds;
    }

    /// <returns>The URL of every page, the first included.</returns>
    private static async Task<List<string>> WalkAsync(HttpClient http, int limit)
    {
        var urls = new List<string>();
        for (string? next = $"/api/v1/services?limit={limit}"; next is not null;)
        {
            urls.Add(next);
            next = await GetAsync(http, next);
        }
        return urls;
    }

    /// <returns>The next page's URL, or null.</returns>
    private static async Task<string?> GetAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsByteArrayAsync(); // the whole body, as a client would read it
        if (!response.IsSuccessStatusCode || body.Length < 2)
            throw new InvalidOperationException($"GET {url}: {(int)response.StatusCode}");
        return response.Headers.TryGetValues("Link", out var links) && NextLink().Match(string.Join(',', links)) is { Success: true } m
            ? m.Groups[1].Value
            : null;
    }

    [GeneratedRegex("<([^>]+)>;\\s*rel=\"next\"")]
    private static partial Regex NextLink();
}
