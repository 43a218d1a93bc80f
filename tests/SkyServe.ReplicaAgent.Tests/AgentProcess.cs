using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// The real agent (`dotnet SkyServe.ReplicaAgent.dll ...`, built beside the tests) as a child process,
/// started as the Local provider starts it: wait for its listening line, then talk HTTP to it.
/// Disposing kills it if it still runs and checks that no process with its machine id is left.
/// </summary>
public sealed partial class AgentProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly List<string> stdout = [];
    private readonly List<string> stderr = [];
    private readonly List<string> output = [];

    private AgentProcess(Process process, string machineId)
    {
        this.process = process;
        MachineId = machineId;
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "SkyServe.ReplicaAgent.dll");

    /// <summary>Unique per test, so `pgrep -f` finds exactly that test's agent.</summary>
    public static string NewMachineId() => $"agent-test-{Guid.NewGuid():N}";

    public string MachineId { get; }
    public int Pid => process.Id;
    public Uri Url { get; private set; } = new("http://invalid");
    public HttpClient Http { get; private set; } = LoopbackHttp.NewClient();
    public bool HasExited => process.HasExited;

    public string Stdout { get { lock (output) return string.Join('\n', stdout); } }
    public string Stderr { get { lock (output) return string.Join('\n', stderr); } }
    public string Output { get { lock (output) return string.Join('\n', output); } }

    /// <summary>Starts the agent with <c>--port 0</c> and a fresh <c>--machine-id</c> unless the arguments give them.</summary>
    public static Task<AgentProcess> StartAsync(params string[] args) => StartWithAsync(new Dictionary<string, string>(), args);

    /// <summary>As <see cref="StartAsync"/>, with <paramref name="environment"/> added to the agent's environment.</summary>
    public static async Task<AgentProcess> StartWithAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var all = new List<string>(args);
        if (!all.Contains("--port"))
            all.AddRange(["--port", "0"]);
        if (!all.Contains("--machine-id"))
            all.AddRange(["--machine-id", NewMachineId()]);
        var machineId = all[all.IndexOf("--machine-id") + 1];

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in all)
            info.ArgumentList.Add(arg);
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
            info.Environment[key] = value;

        var agent = new AgentProcess(Process.Start(info)!, machineId);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.process.OutputDataReceived += (_, e) => agent.OnLine(e.Data, agent.stdout, listening);
        agent.process.ErrorDataReceived += (_, e) => agent.OnLine(e.Data, agent.stderr, null);
        agent.process.BeginOutputReadLine();
        agent.process.BeginErrorReadLine();

        var first = await Task.WhenAny(listening.Task, agent.process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != listening.Task)
        {
            await agent.DisposeAsync();
            throw new InvalidOperationException($"the agent did not start listening:\n{agent.Output}");
        }
        agent.Url = await listening.Task;
        agent.Http = LoopbackHttp.NewClient(agent.Url);
        return agent;
    }

    private void OnLine(string? line, List<string> stream, TaskCompletionSource<Uri>? listening)
    {
        if (line is null)
            return;
        lock (output)
        {
            stream.Add(line);
            output.Add(line);
        }
        if (listening is not null && ListeningLine().Match(line) is { Success: true } m)
            listening.TrySetResult(new Uri(m.Groups[1].Value));
    }

    [GeneratedRegex(@"^ReplicaAgent listening on (http://\S+)$")]
    private static partial Regex ListeningLine();

    public async Task<JsonObject> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Sends a signal the way a service manager or the Local provider does.</summary>
    public async Task SignalAsync(string signal)
    {
        var result = await ProcessRunner.RunAsync("kill", [$"-{signal}", Pid.ToString()]);
        Assert.True(result.ExitCode == 0, $"kill -{signal} {Pid}: {result.Output}");
    }

    /// <summary>The exit code, or a failure when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the agent still runs {timeout.TotalSeconds:0.#} s later:\n{Output}");
        }
        process.WaitForExit(); // lets the redirected streams drain
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        await AssertNoProcessWithAsync(MachineId);
    }

    /// <summary>Fails when any process's command line still names this machine id.</summary>
    public static async Task AssertNoProcessWithAsync(string machineId)
    {
        var pgrep = await ProcessRunner.RunAsync("pgrep", ["-f", "-a", machineId]);
        Assert.True(pgrep.ExitCode == 1, $"a process for {machineId} is still running (pgrep exit {pgrep.ExitCode}):\n{pgrep.Output}");
    }
}
