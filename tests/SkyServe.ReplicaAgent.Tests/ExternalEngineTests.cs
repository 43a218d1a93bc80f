using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// The external engine mode on the real agent process: `--run` supervises a real python3 HTTP server
/// (tests/fixtures/fake-engine/engine.py) in its own process group, `--setup` runs once, readiness and every
/// other request go to the engine, crashes restart it, and SIGTERM ends the whole group.
/// </summary>
public sealed class ExternalEngineTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory work = new();
    private readonly string marker = FakeEngine.NewMarker();

    public void Dispose() => work.Dispose();

    private string WorkDir => work.Path;

    private static async Task<JsonObject> EngineAsync(AgentProcess agent) => (JsonObject)(await agent.GetJsonAsync("/health"))["engine"]!;

    private static Task WaitForStateAsync(AgentProcess agent, string state) =>
        Eventually.TrueAsync(async () => (string?)(await EngineAsync(agent))["state"] == state, Patience,
            () => $"engine state {state}; health {agent.GetJsonAsync("/health").Result.ToJsonString()}\n{agent.Output}");

    private static async Task<string> LogsAsync(AgentProcess agent, int tail = 1000) => await agent.Http.GetStringAsync($"/logs?tail={tail}");

    [Fact]
    public async Task Setup_runs_once_and_an_agent_restarted_on_the_same_machine_does_not_run_it_again()
    {
        const string setup = "echo \"setting up in $PWD\"; echo ran >> setup-count";
        var args = FakeEngine.AgentArgs(WorkDir, FakeEngine.Run(marker), "--setup", setup);
        await using (var first = await AgentProcess.StartAsync(args))
        {
            await WaitForStateAsync(first, "running");
            Assert.Contains($"setting up in {WorkDir}", await LogsAsync(first));
            await first.SignalAsync("TERM");
            Assert.Equal(0, await first.WaitForExitAsync(Patience));
        }
        Assert.Equal(["ran"], await File.ReadAllLinesAsync(Path.Combine(WorkDir, "setup-count")));

        await using var second = await AgentProcess.StartAsync(args);
        await WaitForStateAsync(second, "running");
        Assert.Equal(["ran"], await File.ReadAllLinesAsync(Path.Combine(WorkDir, "setup-count")));
        Assert.Contains("setup already succeeded on this machine", await LogsAsync(second));

        // A different setup command is new work: it runs.
        await second.SignalAsync("TERM");
        await second.WaitForExitAsync(Patience);
        await using var third = await AgentProcess.StartAsync(FakeEngine.AgentArgs(WorkDir, FakeEngine.Run(marker), "--setup", setup + "; echo v2"));
        await WaitForStateAsync(third, "running");
        Assert.Equal(["ran", "ran"], await File.ReadAllLinesAsync(Path.Combine(WorkDir, "setup-count")));
    }

    [Fact]
    public async Task Readiness_answers_what_the_engine_answers_once_it_listens()
    {
        await using var agent = await AgentProcess.StartAsync(FakeEngine.AgentArgs(WorkDir, FakeEngine.Run(marker, "ENGINE_START_DELAY_S=3")));

        using (var starting = await agent.Http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, starting.StatusCode);
            Assert.Equal("engine_starting", (string?)(await starting.Content.ReadFromJsonAsync<JsonObject>())!["reason"]);
        }
        var health = await agent.GetJsonAsync("/health");
        Assert.Equal("ok", (string?)health["status"]);
        Assert.False((bool?)health["ready"]);
        using (var early = await agent.Http.GetAsync("/info"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode); // nothing to forward to yet

        await Eventually.TrueAsync(async () => (await agent.Http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK, Patience, () => agent.Output);
        using (var ready = await agent.Http.GetAsync("/healthz"))
            Assert.Equal("""{"ready": true, "engine": "fake"}""", await ready.Content.ReadAsStringAsync()); // the engine's own answer
        Assert.True((bool?)(await agent.GetJsonAsync("/health"))["ready"]);

        // The engine says it is not ready: so does the agent, with the engine's body.
        await File.WriteAllTextAsync(Path.Combine(WorkDir, "not-ready"), "");
        using (var notReady = await agent.Http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Equal("""{"ready": false, "engine": "fake"}""", await notReady.Content.ReadAsStringAsync());
        }
        File.Delete(Path.Combine(WorkDir, "not-ready"));
        using (var again = await agent.Http.GetAsync("/healthz"))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Requests_are_forwarded_and_a_streamed_answer_arrives_chunk_by_chunk()
    {
        await using var agent = await AgentProcess.StartAsync(FakeEngine.AgentArgs(WorkDir, FakeEngine.Run(marker)));
        await WaitForStateAsync(agent, "running");

        using var post = new HttpRequestMessage(HttpMethod.Post, "/echo?x=1") { Content = new StringContent("""{"prompt": "hi"}""", Encoding.UTF8, "application/json") };
        post.Headers.Add("X-Request-Id", "abc");
        using (var echoed = await agent.Http.SendAsync(post))
        {
            Assert.Equal(HttpStatusCode.OK, echoed.StatusCode);
            var body = (await echoed.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal("/echo?x=1", (string?)body["path"]);
            Assert.Equal("""{"prompt": "hi"}""", (string?)body["body"]);
            Assert.Equal("abc", (string?)body["headers"]!["X-Request-Id"]);
        }
        using (var missing = await agent.Http.GetAsync("/nope"))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode); // the engine's 404, not the agent's echo

        var info = await agent.GetJsonAsync("/info?env=PORT,SKYSERVE_REPLICA_PORT");
        Assert.Equal(WorkDir, (string?)info["cwd"]);
        Assert.Equal(info["port"]!.ToString(), (string?)info["env"]!["PORT"]);
        Assert.Equal(info["port"]!.ToString(), (string?)info["env"]!["SKYSERVE_REPLICA_PORT"]);
        Assert.Equal((int)info["pid"]!, (int)info["pgid"]!); // a process group of its own

        // Three events 1.5 s apart: the first must reach the client long before the last is sent.
        var clock = Stopwatch.StartNew();
        using var stream = await agent.Http.GetAsync("/stream?n=3&gap_ms=1500", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("data: 0", await reader.ReadLineAsync());
        var firstAt = clock.Elapsed;
        var rest = await reader.ReadToEndAsync();
        var lastAt = clock.Elapsed;
        Assert.Contains("data: 2", rest);
        Assert.True(lastAt - firstAt >= TimeSpan.FromSeconds(2.5), $"first event at {firstAt.TotalSeconds:0.00} s, last at {lastAt.TotalSeconds:0.00} s: buffered");
    }

    [Fact]
    public async Task A_crashed_engine_is_started_again_and_health_shows_the_restart()
    {
        await using var agent = await AgentProcess.StartAsync(FakeEngine.AgentArgs(WorkDir, FakeEngine.Run(marker)));
        await WaitForStateAsync(agent, "running");
        var firstPid = (int)(await agent.GetJsonAsync("/info"))["pid"]!;

        using (var crash = await agent.Http.GetAsync("/crash?code=3"))
            Assert.Equal(HttpStatusCode.BadGateway, crash.StatusCode); // it died mid-request
        await Eventually.TrueAsync(async () => (int?)(await EngineAsync(agent))["restarts"] == 1, Patience, () => agent.Output);
        await WaitForStateAsync(agent, "running");
        var engine = await EngineAsync(agent);
        Assert.Equal(3, (int?)engine["last_exit_code"]);
        Assert.Equal("ok", (string?)(await agent.GetJsonAsync("/health"))["status"]);
        var secondPid = (int)(await agent.GetJsonAsync("/info"))["pid"]!;
        Assert.NotEqual(firstPid, secondPid);
        Assert.Equal(secondPid, (int?)engine["pid"]);
        Assert.Contains($"the engine (pid {firstPid}) exited with code 3", await LogsAsync(agent));
        using var ready = await agent.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task An_engine_that_keeps_exiting_is_given_up_after_the_restart_limit()
    {
        await using var agent = await AgentProcess.StartAsync(FakeEngine.AgentArgs(WorkDir, $"echo 'dying {marker}'; exit 7",
            "--engine-max-restarts", "2"));

        await WaitForStateAsync(agent, "failed");
        var health = await agent.GetJsonAsync("/health");
        Assert.Equal("failed", (string?)health["status"]);
        Assert.False((bool?)health["ready"]);
        Assert.Equal(2, (int?)health["engine"]!["restarts"]);
        Assert.Equal(7, (int?)health["engine"]!["last_exit_code"]);
        Assert.Contains("exited 3 times in a row", (string?)health["engine"]!["detail"]);
        using (var readiness = await agent.Http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
            Assert.Equal("engine_failed", (string?)(await readiness.Content.ReadFromJsonAsync<JsonObject>())!["reason"]);
        }
        await Eventually.TrueAsync(async () => (await LogsAsync(agent)).Split('\n').Count(line => line == $"dying {marker}") == 3,
            Patience, () => agent.Output);
        await Eventually.TrueAsync(() => agent.Stderr.Contains("the engine failed"), Patience, () => agent.Output);
    }

    [Fact]
    public async Task A_failing_setup_reports_failed_says_why_and_never_starts_the_engine()
    {
        await using var agent = await AgentProcess.StartAsync(FakeEngine.AgentArgs(WorkDir, FakeEngine.Run(marker),
            "--setup", "echo 'installing the engine'; echo 'E: package vllm not found' >&2; exit 3"));

        await WaitForStateAsync(agent, "setup_failed");
        var health = await agent.GetJsonAsync("/health");
        Assert.Equal("failed", (string?)health["status"]);
        Assert.Equal(3, (int?)health["engine"]!["last_exit_code"]);
        Assert.Contains("setup exited with code 3", (string?)health["engine"]!["detail"]);
        using (var readiness = await agent.Http.GetAsync("/healthz"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);

        var logs = await LogsAsync(agent);
        Assert.Contains("installing the engine", logs);
        Assert.Contains("E: package vllm not found", logs);
        Assert.Contains("setup exited with code 3", logs);
        Assert.DoesNotContain("run: bash -c", logs);
        Assert.False(File.Exists(Path.Combine(WorkDir, ".skyserve", "setup.done")));
        await Eventually.TrueAsync(() => agent.Stderr.Contains("setup failed: setup exited with code 3"), Patience, () => agent.Output);
    }

    [Fact]
    public async Task Sigterm_ends_the_engines_whole_process_group_and_leaves_no_process()
    {
        // The engine starts a child of its own (as vLLM starts workers): it must go too.
        var run = $"python3 -c 'import time; time.sleep(600)' {marker} & {FakeEngine.Run(marker)}";
        await using var agent = await AgentProcess.StartAsync(FakeEngine.AgentArgs(WorkDir, run, "--drain-timeout-ms", "5000"));
        await WaitForStateAsync(agent, "running");
        var pgrep = await ProcessRunner.RunAsync("pgrep", ["-f", $"sleep.600. {marker}"]);
        Assert.True(pgrep.ExitCode == 0, $"the engine's child is not running: {pgrep.Output}");

        await agent.SignalAsync("TERM");
        Assert.Equal(0, await agent.WaitForExitAsync(Patience));
        var logs = await File.ReadAllTextAsync(Path.Combine(WorkDir, ".skyserve", "engine.log"));
        Assert.Contains("SIGTERM to process group", logs);
        Assert.Contains("engine: SIGTERM, shutting down", logs);
        Assert.Matches(@"process group \d+ exited", logs);
        await AgentProcess.AssertNoProcessWithAsync(marker);
    }

    [Fact]
    public async Task An_agent_killed_outright_takes_its_engine_with_it()
    {
        var run = $"python3 -c 'import time; time.sleep(600)' {marker} & {FakeEngine.Run(marker)}";
        await using var agent = await AgentProcess.StartAsync(FakeEngine.AgentArgs(WorkDir, run));
        await WaitForStateAsync(agent, "running");

        await agent.SignalAsync("KILL"); // no drain, no shutdown code: only the engine group's watchdog notices
        await agent.WaitForExitAsync(Patience);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        ProcessRunner.Result left;
        while ((left = await ProcessRunner.RunAsync("pgrep", ["-f", "-a", marker])).ExitCode == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the engine outlived its agent:\n{left.Output}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task An_engine_that_ignores_sigterm_is_killed_after_the_drain_timeout()
    {
        await using var agent = await AgentProcess.StartAsync(FakeEngine.AgentArgs(WorkDir, FakeEngine.Run(marker, "ENGINE_IGNORE_SIGTERM=1"),
            "--drain-timeout-ms", "1000"));
        await WaitForStateAsync(agent, "running");

        var signalled = Stopwatch.StartNew();
        await agent.SignalAsync("TERM");
        Assert.Equal(0, await agent.WaitForExitAsync(Patience));
        Assert.True(signalled.Elapsed >= TimeSpan.FromSeconds(1), $"exited {signalled.ElapsedMilliseconds} ms after SIGTERM: did not wait the drain timeout");
        Assert.Contains("killed (SIGKILL)", await File.ReadAllTextAsync(Path.Combine(WorkDir, ".skyserve", "engine.log")));
        await AgentProcess.AssertNoProcessWithAsync(marker);
    }

    [Fact]
    public async Task An_in_flight_request_finishes_before_the_engine_is_stopped()
    {
        await using var agent = await AgentProcess.StartAsync(FakeEngine.AgentArgs(WorkDir, FakeEngine.Run(marker), "--drain-timeout-ms", "10000"));
        await WaitForStateAsync(agent, "running");

        var streaming = agent.Http.GetStringAsync("/stream?n=4&gap_ms=700");
        await Task.Delay(500);
        await agent.SignalAsync("TERM");
        var body = await streaming;
        Assert.Contains("data: 3", body);
        Assert.Equal(0, await agent.WaitForExitAsync(Patience));
        await AgentProcess.AssertNoProcessWithAsync(marker);
    }

    [Fact]
    public async Task Logs_give_the_last_lines_and_follow_new_ones()
    {
        await using var agent = await AgentProcess.StartAsync(FakeEngine.AgentArgs(WorkDir, FakeEngine.Run(marker)));
        await WaitForStateAsync(agent, "running");
        await agent.Http.GetAsync("/say?text=first");
        await agent.Http.GetAsync("/say?text=second");

        // stdout and stderr are read separately: their lines may interleave either way.
        string[] saidSecond = ["second", "stderr: second"];
        await Eventually.TrueAsync(async () => saidSecond.All((await agent.Http.GetStringAsync("/logs?tail=3")).Split('\n').Contains),
            Patience, () => agent.Output);
        var tail = (await agent.Http.GetStringAsync("/logs?tail=3")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, tail.Length);
        Assert.Single(tail, line => line.StartsWith("engine: \"GET /say?text=second", StringComparison.Ordinal));

        using var follow = await agent.Http.GetAsync("/logs?tail=1&follow=true", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/plain", follow.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await follow.Content.ReadAsStreamAsync());
        Assert.Contains(await reader.ReadLineAsync(), tail);
        await agent.Http.GetAsync("/say?text=third");
        var followed = new HashSet<string>();
        while (!followed.Contains("third") || !followed.Contains("stderr: third"))
            followed.Add((await reader.ReadLineAsync().WaitAsync(Patience))!);

        using var bad = await agent.Http.GetAsync("/logs?tail=many");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task An_agent_without_an_external_engine_has_no_engine_log()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var logs = await agent.Http.GetAsync("/logs");
        Assert.Equal(HttpStatusCode.NotFound, logs.StatusCode);
        Assert.Equal("no_engine_log", (string?)(await logs.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["type"]);
        Assert.Null((await agent.GetJsonAsync("/health"))["engine"]);
    }
}
