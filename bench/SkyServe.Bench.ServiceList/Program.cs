using System.Globalization;
using System.Text.Json;
using SkyServe.Bench.ServiceList;
using SkyServe.Testing;

// bench/service-list.sh runs this; see there for what it measures. Progress goes to stderr, the report to stdout.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = BenchOptions.Parse(args);
void Progress(string line) => Console.Error.WriteLine(line);

var results = new List<LatencyResult>();
PostgresServer? postgres = null;
try
{
    foreach (var engine in options.Engines)
    {
        if (engine == "postgres" && postgres is null)
        {
            Progress("starting a throwaway PostgreSQL cluster");
            postgres = new PostgresServer();
            await postgres.InitializeAsync();
        }
        results.AddRange(await ListLatency.RunAsync(engine, options, postgres, Progress));
    }
}
finally
{
    if (postgres is not null)
        await postgres.DisposeAsync();
}

Console.WriteLine($"GET /api/v1/services?limit={options.Limit}, {options.Services} services x {options.Replicas} replicas, " +
    $"{options.Requests} sequential requests over every page in turn, {Environment.ProcessorCount} cores (ms)");
Console.WriteLine();
Console.WriteLine("| engine | routing table | pages | whole walk | p50 | p90 | p99 | max | mean | CPU ms per request | idle CPU (% of a core) |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var r in results)
    Console.WriteLine($"| {r.Engine} | {(r.RoutingTable ? "recomputing" : "stopped")} | {r.Pages} | {r.WalkMs:0.0} | {r.P50Ms:0.0} | {r.P90Ms:0.0} | {r.P99Ms:0.0} | {r.MaxMs:0.0} | {r.MeanMs:0.0} | " +
        $"{r.CpuMsPerRequest:0.0} | {r.IdleCpuPercent:0} |");
Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Split(' ')[0]} (other work on this machine inflates wall times)");
Console.WriteLine(JsonSerializer.Serialize(new { options.Services, options.Replicas, options.Requests, options.Limit, results },
    new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
