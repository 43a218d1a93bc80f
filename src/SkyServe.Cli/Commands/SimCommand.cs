using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using SkyServe.Cli.Sim;
using SkyServe.Core.Simulation;
using SkyServe.Core.Simulation.Optimum;
using SkyServe.Core.Traces;

namespace SkyServe.Cli.Commands;

/// <summary>
/// `skyserve sim --traces DIR ...`: replays spot traces through the placement policies, the controller's own
/// (SpotHedge, hedge_plus) among them, and reports availability, cost and latency (DESIGN.md section 10, README
/// Evaluation). Bad arguments exit with 2, a missing trace folder with 1.
/// </summary>
public static class SimCommand
{
    public const int UsageExitCode = 2;

    public static readonly int[] SensitivityColdStarts = [60, 120, 240, 480];
    public static readonly int[] SensitivityExtras = [0, 1, 2, 3];

    public static Command Build()
    {
        var traces = new Option<string>("--traces") { Description = "Trace folder (one JSON file per zone), or a folder of trace folders (e.g. ../shared/traces)", Required = true };
        var policies = new Option<string>("--policies") { Description = "Comma-separated: ondemand, even_spread, round_robin, spothedge, optimal, hedge_plus", DefaultValueFactory = _ => "ondemand,even_spread,round_robin,spothedge,optimal,hedge_plus" };
        var repeats = new Option<int>("--repeats") { Description = "Repeats, each over its own random window of the traces", DefaultValueFactory = _ => 10 };
        var ticks = new Option<int>("--ticks") { Description = "Ticks per repeat (2880 x 30 s = 24 h)", DefaultValueFactory = _ => 2880 };
        var coldStart = new Option<int>("--cold-start") { Description = "Seconds of continuous life before a replica is READY", DefaultValueFactory = _ => 120 };
        var extra = new Option<int>("--extra") { Description = "N_extra: over-provisioned spot replicas (SpotHedge; hedge_plus's hedge while volatile)", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seed of start offsets, zone orders, tie-breaks and requests", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON array of rows instead of the Markdown table" };
        var csv = new Option<string?>("--csv") { Description = "Also write the rows as CSV to this file" };
        var svg = new Option<string?>("--svg") { Description = "Write SVG charts (cost vs availability; READY replicas over time) to this folder" };
        var chartRepeat = new Option<int>("--chart-repeat") { Description = "Which repeat the READY-over-time chart shows", DefaultValueFactory = _ => 0 };
        var target = new Option<int>("--target") { Description = "N_tar: READY replicas the service needs", DefaultValueFactory = _ => 3 };
        var tick = new Option<int>("--tick") { Description = "Seconds per tick (trace gaps must be multiples of it)", DefaultValueFactory = _ => 30 };
        var onDemandCost = new Option<double>("--on-demand-cost") { Description = "Cost of an on-demand replica-tick in spot replica-ticks", DefaultValueFactory = _ => 3 };
        var notice = new Option<int>("--notice") { Description = "Interruption notice lead in seconds (0: unannounced preemptions)", DefaultValueFactory = _ => 0 };
        var model = new Option<string>("--model") { Description = "parity (the SpotHedge paper's simulator) or controller (the controller's own rules)", DefaultValueFactory = _ => "parity" };
        var reset = new Option<string?>("--reset") { Description = "SpotHedge's reset rule: artifact or skypilot (default: the model's)" };
        var rate = new Option<double>("--rate") { Description = "Poisson request rate, req/s over all clients", DefaultValueFactory = _ => 0.15 };
        var clients = new Option<int>("--clients") { Description = "Request clients, each round-robin over the READY replicas", DefaultValueFactory = _ => 3 };
        var serviceTime = new Option<double>("--service-time") { Description = "Mean exponential service time, s", DefaultValueFactory = _ => 10 };
        var timeout = new Option<double>("--timeout") { Description = "Request timeout, s (failures count at it)", DefaultValueFactory = _ => 100 };
        var artifactClients = new Option<bool>("--artifact-clients") { Description = "Let the first two clients send the same arrival times, as the SpotHedge artifact's simulator does (its latency figures)" };
        var arrivals = new Option<string?>("--arrivals") { Description = "Replay request arrival times from this file (seconds, one per line) instead of Poisson arrivals" };
        var solverSeconds = new Option<int>("--solver-seconds") { Description = "Time limit per integer program of the optimum", DefaultValueFactory = _ => 120 };
        var sensitivity = new Option<bool>("--sensitivity") { Description = "SpotHedge and hedge_plus over cold starts 60/120/240/480 s and N_extra 0-3 (the paper's sensitivity study)" };
        var command = new Command("sim", "Replay spot traces through the placement policies: availability, cost and latency per policy")
        {
            traces, policies, repeats, ticks, coldStart, extra, seed, json, csv, svg, chartRepeat, target, tick, onDemandCost, notice,
            model, reset, rate, clients, serviceTime, timeout, artifactClients, arrivals, solverSeconds, sensitivity,
        };
        command.SetAction(parse =>
        {
            try
            {
                var settings = new SimulationSettings
                {
                    Repeats = parse.GetValue(repeats),
                    Ticks = parse.GetValue(ticks),
                    TickSeconds = parse.GetValue(tick),
                    ColdStartSeconds = parse.GetValue(coldStart),
                    TargetReplicas = parse.GetValue(target),
                    ExtraReplicas = parse.GetValue(extra),
                    OnDemandCost = parse.GetValue(onDemandCost),
                    Seed = parse.GetValue(seed),
                    NoticeSeconds = parse.GetValue(notice),
                    Model = ParseModel(parse.GetValue(model)!),
                    Reset = parse.GetValue(reset) is { } rule ? ParseReset(rule) : null,
                    SolverSeconds = parse.GetValue(solverSeconds),
                    Workload = new WorkloadSettings
                    {
                        RequestsPerSecond = parse.GetValue(rate),
                        Clients = parse.GetValue(clients),
                        MeanServiceSeconds = parse.GetValue(serviceTime),
                        TimeoutSeconds = parse.GetValue(timeout),
                        DuplicateFirstClient = parse.GetValue(artifactClients),
                        ArrivalTimes = parse.GetValue(arrivals) is { } file ? ArrivalFile.Read(file) : null,
                    },
                };
                if (settings.Validate() is { } problem)
                    throw new SimUsageException(problem);
                if (parse.GetValue(chartRepeat) is var shown && (shown < 0 || shown >= settings.Repeats))
                    throw new SimUsageException($"--chart-repeat must be between 0 and {settings.Repeats - 1}");
                IReadOnlyList<SimPolicy> chosen;
                try
                {
                    chosen = SimPolicyNames.ParseList(parse.GetValue(policies)!);
                }
                catch (ArgumentException e)
                {
                    throw new SimUsageException($"--policies: {e.Message}");
                }
                var path = parse.GetValue(traces)!;
                IReadOnlyList<TraceScenario> scenarios;
                try
                {
                    scenarios = TraceScenario.Load(path, settings.TickSeconds);
                }
                catch (SpotTraceException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    if (!Directory.Exists(path))
                        Console.Error.WriteLine("  (the shared spot traces live in ../shared/traces beside the checkout: AWS1, AWS2, AWS-2022-2zone)");
                    return 1;
                }
                return parse.GetValue(sensitivity)
                    ? Sensitivity(scenarios, settings, path, parse.GetValue(json), parse.GetValue(csv))
                    : Compare(scenarios, chosen, settings, path, parse.GetValue(json), parse.GetValue(csv), parse.GetValue(svg), parse.GetValue(chartRepeat));
            }
            catch (SimUsageException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return UsageExitCode;
            }
        });
        return command;
    }

    private static int Compare(IReadOnlyList<TraceScenario> scenarios, IReadOnlyList<SimPolicy> policies, SimulationSettings settings,
        string path, bool json, string? csvFile, string? svgFolder, int chartRepeat)
    {
        var solver = policies.Contains(SimPolicy.Optimal) ? CbcSolver.Find() : null;
        if (policies.Contains(SimPolicy.Optimal) && solver is null)
            Console.Error.WriteLine("warning: the CBC solver (cbc) is not on PATH, so 'optimal' is skipped; install it with: apt-get install coinor-cbc");
        var watch = Stopwatch.StartNew();
        var rows = new List<EvaluationRow>();
        var windows = new List<string>();
        foreach (var scenario in scenarios)
        {
            var scenarioRows = Evaluation.Run(scenario, policies, settings, solver);
            rows.AddRange(scenarioRows);
            windows.Add(MarkdownReport.Windows(scenario, RunWindow.Plan(scenario, settings)));
            if (svgFolder is not null)
                foreach (var file in SvgCharts.Write(svgFolder, scenario.Name, scenarioRows, chartRepeat, settings.TargetReplicas))
                    Console.Error.WriteLine($"wrote {file}");
        }
        if (csvFile is not null)
            File.WriteAllText(csvFile, CsvReport.Write(rows.Select(row => (row, settings))));
        if (json)
        {
            Console.WriteLine(JsonReport.Write(rows.Select(row => JsonReport.Row(row, settings))));
        }
        else
        {
            Console.WriteLine(MarkdownReport.Settings(settings, path));
            Console.Write(MarkdownReport.Table(rows));
            Console.WriteLine();
            foreach (var line in windows)
                Console.Write(line);
            foreach (var row in rows.Where(row => row.Note is not null))
                Console.WriteLine($"{row.Trace} {row.PolicyName}: {row.Note}");
        }
        Console.Error.WriteLine($"simulated {rows.Sum(row => row.Repeats)} runs in {watch.Elapsed.TotalSeconds:0.0} s");
        return 0;
    }

    /// <summary>The paper's sensitivity study: SpotHedge and hedge_plus over cold starts (N_extra as given) and over N_extra 0-3 (cold start as given).</summary>
    private static int Sensitivity(IReadOnlyList<TraceScenario> scenarios, SimulationSettings settings, string path, bool json, string? csvFile)
    {
        var watch = Stopwatch.StartNew();
        SimPolicy[] policies = [SimPolicy.SpotHedge, SimPolicy.HedgePlus];
        var results = new List<(string Parameter, EvaluationRow Row, SimulationSettings Settings)>();
        foreach (var scenario in scenarios)
        {
            foreach (var cold in SensitivityColdStarts)
            {
                var varied = settings with { ColdStartSeconds = cold };
                results.AddRange(Evaluation.Run(scenario, policies, varied).Select(row => ($"cold start {cold} s", row, varied)));
            }
            foreach (var extra in SensitivityExtras)
            {
                var varied = settings with { ExtraReplicas = extra };
                results.AddRange(Evaluation.Run(scenario, policies, varied).Select(row => ($"N_extra {extra}", row, varied)));
            }
        }
        if (csvFile is not null)
            File.WriteAllText(csvFile, CsvReport.Write(results.Select(r => (r.Row, r.Settings))));
        if (json)
        {
            Console.WriteLine(JsonReport.Write(results.Select(r => JsonReport.Row(r.Row, r.Settings, sensitivity: true))));
        }
        else
        {
            Console.WriteLine(MarkdownReport.Settings(settings, path).TrimEnd() + $"; sensitivity: cold start {string.Join("/", SensitivityColdStarts)} s at N_extra {settings.ExtraReplicas}, N_extra {string.Join("/", SensitivityExtras)} at cold start {settings.ColdStartSeconds} s");
            Console.WriteLine();
            Console.WriteLine("| trace | setting | spothedge availability % | spothedge cost % | hedge_plus availability % | hedge_plus cost % |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var group in results.GroupBy(r => (r.Row.Trace, r.Parameter)))
            {
                var spotHedge = group.First(r => r.Row.Policy == SimPolicy.SpotHedge).Row;
                var hedgePlus = group.First(r => r.Row.Policy == SimPolicy.HedgePlus).Row;
                Console.WriteLine($"| {group.Key.Trace} | {group.Key.Parameter} " +
                    $"| {SimFormat.Percent(spotHedge.Availability.Mean)} | {SimFormat.Percent(spotHedge.RelativeCost.Mean)} " +
                    $"| {SimFormat.Percent(hedgePlus.Availability.Mean)} | {SimFormat.Percent(hedgePlus.RelativeCost.Mean)} |");
            }
        }
        Console.Error.WriteLine($"simulated {results.Sum(r => r.Row.Repeats)} runs in {watch.Elapsed.TotalSeconds:0.0} s");
        return 0;
    }

    private static SimulationModel ParseModel(string value) => value.Trim().ToLowerInvariant() switch
    {
        "parity" => SimulationModel.Parity,
        "controller" => SimulationModel.Controller,
        _ => throw new SimUsageException($"--model: unknown model '{value}' (allowed: parity, controller)"),
    };

    private static ResetRule ParseReset(string value) => value.Trim().ToLowerInvariant() switch
    {
        "artifact" => ResetRule.Artifact,
        "skypilot" or "paper" => ResetRule.SkyPilot,
        _ => throw new SimUsageException($"--reset: unknown rule '{value}' (allowed: artifact, skypilot)"),
    };
}
