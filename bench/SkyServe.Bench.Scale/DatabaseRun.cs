using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace SkyServe.Bench.Scale;

/// <summary>
/// One database's run: a fresh EC2 emulator, (PostgreSQL,) the controller and the load balancer processes, then every size
/// in turn on the same, growing fleet. See bench/scale.sh for what each figure observes.
/// </summary>
public sealed class DatabaseRun(ScaleOptions options, string database, string repo, string work, StandInAgent agent, TimeSpan budget)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private ChildProcess? controller;
    private ChildProcess? loadBalancer;
    private ControllerApi? api;
    private LoadBalancerView? lb;
    private PostgresCluster? postgres;
    private string? sqliteFile;
    private const string PostgresDatabase = "skyserve_scale";

    private TimeSpan Remaining => budget - clock.Elapsed;

    private static void Progress(string line) => Console.Error.WriteLine($"scale: {line}");

    /// <summary>Adds one result per size to <paramref name="results"/> at once and fills them as it goes (an interrupted run keeps what it measured).</summary>
    public async Task RunAsync(List<SizeResult> results, CancellationToken ct)
    {
        var mine = options.Sizes.Select(s => new SizeResult(database, s)).ToList();
        results.AddRange(mine);
        Progress($"[{database}] starting the EC2 emulator, {(database == "postgres" ? "PostgreSQL, " : "")}the controller and the load balancer");
        await using var emulator = await EmulatedAws.StartAsync(Path.Combine(repo, "config"));
        try
        {
            await StartProcessesAsync(emulator, ct);
            var fleet = new Fleet(options.Seed, options.Overprovision);
            for (var i = 0; i < mine.Count; i++)
            {
                var result = mine[i];
                if (Remaining <= TimeSpan.Zero)
                {
                    result.Notes.Add($"not run: the time budget ({budget.TotalMinutes:0.#} min for {database}) is spent");
                    continue;
                }
                await SizeAsync(fleet, result, ct);
                if (!result.Converged)
                {
                    foreach (var later in mine.Skip(i + 1))
                        later.Notes.Add($"not run: size {result.Step.Label} did not converge");
                    break;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Progress($"[{database}] failed: {e.Message}");
            foreach (var result in mine.Where(r => !r.Ran && r.Notes.Count == 0))
                result.Notes.Add("not run: the run failed (see the progress log)");
            mine.LastOrDefault(r => r.Ran)?.Notes.Add("the run failed during this size");
            foreach (var child in new[] { controller, loadBalancer })
                if (child is not null)
                    Progress($"[{database}] last lines of {child.Name} ({child.LogFile}):\n{child.Tail(25)}");
            throw;
        }
        finally
        {
            await StopAsync();
        }
    }

    private async Task StartProcessesAsync(Cloud.Emulators.Aws.Ec2Emulator emulator, CancellationToken ct)
    {
        var settings = EmulatedAws.ControllerSettings(emulator, agent.Port);
        var data = Path.Combine(work, $"{database}-data");
        settings["DataDirectory"] = data;
        settings["Urls"] = "http://127.0.0.1:0";
        settings["ConfigDirectory"] = Path.Combine(repo, "config");
        var token = "scale-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var tokenFile = Path.Combine(work, $"{database}-api-token");
        await WriteSecretAsync(tokenFile, token);
        settings["ApiTokenFile"] = tokenFile;
        if (database == "postgres")
        {
            postgres = await PostgresCluster.StartAsync(Path.Combine(work, "postgres"), ct);
            settings["PostgresConnectionString"] = postgres.ConnectionString(PostgresDatabase);
        }
        else
        {
            sqliteFile = Path.Combine(data, "skyserve.db");
        }
        // As command-line settings (--SkyServe:Key=value), not SkyServe__... variables: region names hold '-', and the
        // /bin/sh that starts the process drops variables whose names are not shell identifiers.
        var arguments = settings.Select(s => $"--SkyServe:{s.Key}={s.Value}").ToList();
        var environment = EmulatedAws.Credentials();
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var controllerDll = options.ControllerDll ?? Path.Combine(repo, "src/SkyServe.Controller/bin/Release/net10.0/SkyServe.Controller.dll");
        (controller, var controllerUrl) = await ChildProcess.StartAsync($"controller-{database}", work, controllerDll, arguments, environment,
            TimeSpan.FromSeconds(120), ct);
        api = new ControllerApi(controllerUrl, token, options.PageSize);
        Progress($"[{database}] controller pid {controller.Pid} at {controllerUrl}");

        var lbToken = await api.LoadBalancerTokenAsync(ct);
        var lbTokenFile = Path.Combine(work, $"{database}-lb-token");
        await WriteSecretAsync(lbTokenFile, lbToken);
        var lbDll = options.LoadBalancerDll ?? Path.Combine(repo, "src/SkyServe.LoadBalancer/bin/Release/net10.0/SkyServe.LoadBalancer.dll");
        (loadBalancer, var lbUrl) = await ChildProcess.StartAsync($"lb-{database}", work, lbDll,
            ["--controller", controllerUrl.ToString().TrimEnd('/'), "--token-file", lbTokenFile, "--listen", "http://127.0.0.1:0", "--id", "scale-bench"],
            new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" }, TimeSpan.FromSeconds(60), ct);
        lb = new LoadBalancerView(lbUrl, lbToken);
        Progress($"[{database}] load balancer pid {loadBalancer.Pid} at {lbUrl}");
    }

    private async Task StopAsync()
    {
        lb?.Dispose();
        api?.Dispose();
        if (loadBalancer is not null)
            await loadBalancer.DisposeAsync();
        if (controller is not null)
            await controller.DisposeAsync();
        if (postgres is not null)
            await postgres.DisposeAsync();
    }

    private async Task SizeAsync(Fleet fleet, SizeResult result, CancellationToken ct)
    {
        var step = result.Step;
        result.Ran = true;
        Progress($"[{database}] size {step.Label}: growing the fleet");

        // 1. The writes: new services, then the ones whose size the step fixes.
        var writes = new List<Func<CancellationToken, Task>>();
        for (var i = fleet.Services.Count; i < step.Services; i++)
        {
            var service = fleet.Add(step.FixedReplicas);
            writes.Add(c => WriteAsync(() => api!.CreateAsync(service.Name, fleet.Spec(service), c), $"POST {service.Name}", c));
        }
        if (step.FixedReplicas is { } fixedReplicas)
            foreach (var service in fleet.Services.Where(s => s.Replicas != fixedReplicas).ToList())
            {
                service.Replicas = fixedReplicas;
                writes.Add(c => WriteAsync(() => api!.UpdateAsync(service.Name, fleet.Spec(service), c), $"PUT {service.Name}", c));
            }
        result.Services = fleet.Services.Count;
        result.Replicas = fleet.TotalReplicas;
        result.Writes = writes.Count;
        result.PollMs = Math.Clamp(result.Replicas / 20, 50, 500);
        var writeClock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(writes, new ParallelOptions { MaxDegreeOfParallelism = options.PostConcurrency, CancellationToken = ct },
            async (write, c) => await write(c));
        result.PostSeconds = writeClock.Elapsed.TotalSeconds;
        Progress($"[{database}] size {step.Label}: {writes.Count} writes in {result.PostSeconds:0.0} s; {result.Services} services, {result.Replicas} replicas expected");

        // 2. Convergence.
        var converged = await ConvergeAsync(fleet, result, TimeSpan.FromSeconds(options.ConvergeTimeoutSeconds), ct);
        result.Converged = converged is not null;
        result.ConvergeSeconds = converged?.TotalSeconds;

        // 3. Controller CPU and memory over a quiet window (no API calls from here; the load balancer's long poll and
        //    stats posts, the reconcile loop and the probes go on).
        await SteadyWindowAsync(result, ct);

        // 4. GET /api/v1/services latency.
        await ListLatencyAsync(result, ct);

        if (result.Converged)
        {
            // 5. A failing replica leaving the load balancer's routes; 6. an API write reaching them.
            await FailureTrialsAsync(fleet, result, ct);
            await WriteTrialsAsync(fleet, result, ct);
        }
        else
        {
            result.Notes.Add("failure and write trials skipped (not converged)");
        }

        // 7. Database size.
        result.DatabaseMb = database == "postgres"
            ? await postgres!.DatabaseMegabytesAsync(PostgresDatabase, ct)
            : SqliteMegabytes();
        Progress($"[{database}] size {step.Label} done: {Report.Line(result)}");
    }

    private async Task WriteAsync(Func<Task<HttpResponseMessage>> send, string what, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await send();
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
                return;
            // 503 (database busy or away) and 409 on a concurrent change are worth another try; anything else is a bug here.
            if (attempt >= 5 || status is not (503 or 409))
                await ControllerApi.EnsureAsync(response, what, ct);
            await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), ct);
        }
    }

    /// <summary>
    /// Polls the load balancer's routes until every fleet service has exactly its expected number of replicas there, then
    /// checks the controller agrees (every service READY = live = expected); the time is that of the routes read that
    /// matched. Null when the timeout or the budget ran out.
    /// </summary>
    private async Task<TimeSpan?> ConvergeAsync(Fleet fleet, SizeResult result, TimeSpan timeout, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var lastLog = TimeSpan.Zero;
        var limit = timeout < Remaining ? timeout : Remaining;
        var poll = TimeSpan.FromMilliseconds(result.PollMs);
        string progress = "";
        while (true)
        {
            ThrowIfExited();
            var routes = await lb!.RoutesAsync(ct);
            var at = started.Elapsed;
            var matching = fleet.Services.Count(s => routes.TryGetValue(s.Name, out var urls) && urls.Count == fleet.Expected(s));
            var routed = fleet.Services.Sum(s => routes.TryGetValue(s.Name, out var urls) ? urls.Count : 0);
            progress = $"{matching}/{fleet.Services.Count} services with their replicas in the routes, {routed}/{fleet.TotalReplicas} replicas routed";
            if (matching == fleet.Services.Count)
            {
                var listed = (await api!.ListAllAsync(ct)).ToDictionary(s => s.Name);
                var settled = fleet.Services.Count(s => listed.TryGetValue(s.Name, out var v)
                    && v.ReadyReplicas == fleet.Expected(s) && v.Replicas == fleet.Expected(s));
                if (settled == fleet.Services.Count)
                {
                    Progress($"[{database}] size {result.Step.Label}: converged in {at.TotalSeconds:0.0} s after the writes");
                    return at;
                }
                progress += $"; controller: {settled}/{fleet.Services.Count} services settled (READY = live = expected)";
            }
            if (started.Elapsed - lastLog >= TimeSpan.FromSeconds(10))
            {
                lastLog = started.Elapsed;
                Progress($"[{database}] size {result.Step.Label}: {started.Elapsed.TotalSeconds:0} s: {progress}");
            }
            if (started.Elapsed > limit)
            {
                result.Notes.Add($"not converged within {limit.TotalSeconds:0} s{(limit < timeout ? " (time budget)" : "")}: {progress}");
                Progress($"[{database}] size {result.Step.Label}: NOT converged within {limit.TotalSeconds:0} s: {progress}");
                return null;
            }
            await Task.Delay(poll, ct);
        }
    }

    private async Task SteadyWindowAsync(SizeResult result, CancellationToken ct)
    {
        Progress($"[{database}] size {result.Step.Label}: {options.SteadySeconds:0} s steady window (controller CPU and memory)");
        var controllerCpu = new ProcStats.CpuWindow(controller!.Pid);
        var lbCpu = new ProcStats.CpuWindow(loadBalancer!.Pid);
        await Task.Delay(TimeSpan.FromSeconds(options.SteadySeconds), ct);
        ThrowIfExited();
        result.ControllerCpuShare = controllerCpu.Share();
        result.LoadBalancerCpuShare = lbCpu.Share();
        result.ControllerRssMb = ProcStats.RssMegabytes(controller.Pid);
        result.LoadBalancerRssMb = ProcStats.RssMegabytes(loadBalancer.Pid);
    }

    /// <summary>
    /// <see cref="ScaleOptions.ListRequests"/> GETs of /api/v1/services one after another (after 5 discarded ones): the whole
    /// list while the API does not page, else the pages one walk through the list visited (?limit=page size), in turn.
    /// </summary>
    private async Task ListLatencyAsync(SizeResult result, CancellationToken ct)
    {
        await api!.ListAllAsync(ct); // finds out whether the API pages, and the pages' paths
        var pages = api.PagePaths;
        var times = new List<double>();
        const int warmUp = 5; // discarded: the first calls of a path pay for JIT and cold caches
        for (var i = 0; i < options.ListRequests + warmUp; i++)
        {
            var page = i % pages.Count;
            var started = Stopwatch.StartNew();
            await api.PageAsync(pages[page], page * options.PageSize, ct);
            if (i >= warmUp)
                times.Add(started.Elapsed.TotalMilliseconds);
        }
        result.ListP50Ms = SizeResult.Percentile(times, 0.5);
        result.ListP99Ms = SizeResult.Percentile(times, 0.99);
        result.ListPaged = api.Paged;
    }

    /// <summary>
    /// Marks one READY replica's address failing at the stand-in agent (its probe answers 503, or its connections are reset),
    /// and times until the load balancer's routes no longer hold it; then heals it. A different service each trial, spread
    /// over the fleet.
    /// </summary>
    private async Task FailureTrialsAsync(Fleet fleet, SizeResult result, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(options.TrialTimeoutSeconds);
        for (var trial = 0; trial < options.FailureTrials; trial++)
        {
            var routes = await lb!.RoutesAsync(ct);
            var service = Pick(fleet, trial, options.FailureTrials, 0.5, routes);
            if (service is null)
            {
                result.Notes.Add("no routed replica to fail");
                return;
            }
            var url = routes[service.Name].Order(StringComparer.Ordinal).First();
            var address = StandInAgent.AddressOf(url);
            if (!StandInAgent.IsLoopback(address))
                throw new InvalidOperationException($"replica {url} of {service.Name} is not on a loopback address");
            agent.MarkFailing(address);
            var clock = Stopwatch.StartNew();
            TimeSpan? gone = null;
            try
            {
                while (clock.Elapsed < timeout)
                {
                    var now = await lb.RoutesAsync(ct);
                    if (!now.TryGetValue(service.Name, out var urls) || !urls.Contains(url))
                    {
                        gone = clock.Elapsed;
                        break;
                    }
                    await Task.Delay(result.PollMs, ct);
                }
            }
            finally
            {
                agent.Heal(address);
            }
            if (gone is { } g)
                result.FailureSeconds.Add(g.TotalSeconds);
            else
                result.FailureTimeouts++;
            Progress($"[{database}] size {result.Step.Label}: failure trial {trial + 1}: {service.Name} ({(service.Spot ? "spot" : "on demand")}) {address}: "
                + (gone is { } t ? $"left the routes after {t.TotalSeconds:0.00} s" : $"still routed after {timeout.TotalSeconds:0} s"));
        }
    }

    /// <summary>
    /// Deletes a routed service (DELETE /api/v1/services/NAME: it goes SHUTTING_DOWN in the API's own transaction, which
    /// takes it out of the routing table at once) and times until the load balancer no longer routes it; then creates a
    /// replacement of the same shape under a new name, so the fleet keeps its size (it converges with the next size).
    /// </summary>
    private async Task WriteTrialsAsync(Fleet fleet, SizeResult result, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(options.TrialTimeoutSeconds);
        for (var trial = 0; trial < options.WriteTrials; trial++)
        {
            var routes = await lb!.RoutesAsync(ct);
            var service = Pick(fleet, trial, options.WriteTrials, 0.25, routes);
            if (service is null)
            {
                result.Notes.Add("no routed service to delete");
                return;
            }
            var clock = Stopwatch.StartNew();
            using (var response = await api!.DeleteAsync(service.Name, ct))
                await ControllerApi.EnsureAsync(response, $"DELETE {service.Name}", ct);
            var answered = clock.Elapsed;
            TimeSpan? gone = null;
            while (clock.Elapsed < timeout)
            {
                var now = await lb.RoutesAsync(ct);
                if (!now.TryGetValue(service.Name, out var urls) || urls.Count == 0)
                {
                    gone = clock.Elapsed;
                    break;
                }
                await Task.Delay(result.PollMs, ct);
            }
            if (gone is { } g)
                result.WriteSeconds.Add(g.TotalSeconds);
            else
                result.WriteTimeouts++;
            Progress($"[{database}] size {result.Step.Label}: write trial {trial + 1}: DELETE {service.Name} answered in {answered.TotalSeconds:0.000} s, "
                + (gone is { } t ? $"gone from the routes after {t.TotalSeconds:0.00} s" : $"still routed after {timeout.TotalSeconds:0} s"));
            var replacement = fleet.Replace(service);
            await WriteAsync(() => api.CreateAsync(replacement.Name, fleet.Spec(replacement), ct), $"POST {replacement.Name}", ct);
        }
    }

    /// <summary>
    /// Trial <paramref name="trial"/>'s service: spread evenly over the fleet, shifted by <paramref name="phase"/>, plus the
    /// trial's number so that spot (odd) and on-demand (even) services take turns; the next routed one from there.
    /// </summary>
    private static FleetService? Pick(Fleet fleet, int trial, int trials, double phase, Dictionary<string, HashSet<string>> routes)
    {
        var count = fleet.Services.Count;
        var start = ((int)((trial + phase) * count / Math.Max(1, trials)) + trial) % count;
        for (var k = 0; k < count; k++)
        {
            var candidate = fleet.Services[(start + k) % count];
            if (routes.TryGetValue(candidate.Name, out var urls) && urls.Count > 0)
                return candidate;
        }
        return null;
    }

    private double? SqliteMegabytes()
    {
        if (sqliteFile is null)
            return null;
        long bytes = 0;
        foreach (var file in new[] { sqliteFile, sqliteFile + "-wal" })
            if (File.Exists(file))
                bytes += new FileInfo(file).Length;
        return bytes / 1e6;
    }

    private void ThrowIfExited()
    {
        foreach (var child in new[] { controller, loadBalancer })
            if (child is { HasExited: true })
                throw new InvalidOperationException($"{child.Name} exited");
    }

    private static async Task WriteSecretAsync(string path, string value)
    {
        await File.WriteAllTextAsync(path, value);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public static string Seconds(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";
}
