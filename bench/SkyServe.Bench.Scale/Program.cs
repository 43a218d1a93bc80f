using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using SkyServe.Bench.Scale;
using SkyServe.Core.Spec;

// bench/scale.sh runs this; see there for what it measures. Progress goes to stderr, the tables and the JSON line to stdout.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

ScaleOptions options;
try
{
    options = ScaleOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"scale: {e.Message}\n{ScaleOptions.Usage}");
    return 2;
}

var repo = FindRepo();
var work = options.WorkDirectory ?? Directory.CreateTempSubdirectory("skyserve-scale-").FullName;
Directory.CreateDirectory(work);

// The fleet's two spec shapes must parse before anything starts (a spec error is a bug here, not a figure).
var sample = new Fleet(options.Seed, options.Overprovision);
foreach (var service in new[] { sample.Add(3), sample.Add(3) })
    if (ServiceSpecParser.TryParse(sample.Spec(service)) is { IsValid: false } invalid)
    {
        Console.Error.WriteLine($"scale: the generated spec does not parse: {string.Join("; ", invalid.Errors.Select(e => $"{e.Path}: {e.Message}"))}\n{sample.Spec(service)}");
        return 1;
    }

// Ctrl+C and SIGTERM end the run in order: every child process is stopped by the finally blocks below.
using var cancel = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    if (!cancel.IsCancellationRequested)
        Console.Error.WriteLine($"scale: {context.Signal}: stopping");
    cancel.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

var results = new List<SizeResult>();
var clock = Stopwatch.StartNew();
var budget = TimeSpan.FromMinutes(options.MaxMinutes);
var interrupted = false;
var failed = false;
Console.Error.WriteLine($"scale: databases {string.Join(", ", options.Databases)}; sizes {string.Join(", ", options.Sizes.Select(s => s.Label))}; "
    + $"budget {options.MaxMinutes:0.#} min; work folder {work}");
StandInAgent? agent = null;
try
{
    agent = await StandInAgent.StartAsync(options.FailureMode, cancel.Token);
    Console.Error.WriteLine($"scale: stand-in agent on 0.0.0.0:{agent.Port} (every 127.x address)");
    for (var i = 0; i < options.Databases.Count; i++)
    {
        var database = options.Databases[i];
        // Each database gets an even share of what is left of the budget.
        var share = (budget - clock.Elapsed) / (options.Databases.Count - i);
        var run = new DatabaseRun(options, database, repo, work, agent, share);
        try
        {
            await run.RunAsync(results, cancel.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failed = true;
            Console.Error.WriteLine($"scale: the {database} run failed: {e}");
        }
    }
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    interrupted = true;
}
finally
{
    if (agent is not null)
        await agent.DisposeAsync();
}

Console.Error.WriteLine($"scale: finished in {clock.Elapsed.TotalMinutes:0.0} min{(interrupted ? " (interrupted)" : "")}");
Console.WriteLine(Report.Tables(results, options));
Console.WriteLine(Report.JsonLine(results, options.Databases, interrupted));
return interrupted ? 130 : failed ? 1 : 0;

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "SkyServe.sln")))
            return dir.FullName;
    throw new InvalidOperationException($"SkyServe.sln not found above {AppContext.BaseDirectory}");
}
