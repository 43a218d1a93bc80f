using System.Diagnostics;
using System.Text;
using SkyServe.Providers.Local;

namespace SkyServe.Integration.Tests;

/// <summary>
/// The cloud emulators' machines brought to life: for every VM an emulator shows live, the real ReplicaAgent
/// (<c>dotnet SkyServe.ReplicaAgent.dll</c>, its own process) listening on the VM's private IP and the clouds' agent
/// port, as the VM's boot script starts it (the emulators hand out addresses in 127.0.0.0/8, so every VM has one of its
/// own on this host). When the VM is preempted, evicted or terminated its agent is killed, and its address stops
/// answering, as a reclaimed machine does.
/// </summary>
public sealed class EmulatedVmAgents : IAsyncDisposable
{
    private static readonly string AgentDll = ReplicaAgentLocation.Dll();

    private readonly Func<IEnumerable<(string Id, string Address)>> liveMachines;
    private readonly Dictionary<string, (string Id, Process Process)> running = [];
    private readonly StringBuilder log = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    private EmulatedVmAgents(int port, Func<IEnumerable<(string Id, string Address)>> liveMachines)
    {
        Port = port;
        this.liveMachines = liveMachines;
        loop = Task.Run(FollowAsync);
    }

    /// <summary>The agent port of every VM (the clouds' <c>Agent:Port</c> / <c>AgentPort</c> setting).</summary>
    public int Port { get; }

    /// <summary>Agents started so far, one per VM.</summary>
    public int Started { get; private set; }

    /// <summary>What the agents printed, and when they were started and stopped.</summary>
    public string Output
    {
        get
        {
            lock (log)
                return log.ToString();
        }
    }

    /// <param name="liveMachines">Each live VM's provider id and private IP, read from the emulators.</param>
    public static EmulatedVmAgents Start(int port, Func<IEnumerable<(string Id, string Address)>> liveMachines) => new(port, liveMachines);

    private async Task FollowAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var live = liveMachines().GroupBy(m => m.Address).ToDictionary(g => g.Key, g => g.First().Id);
            foreach (var (address, id) in live.Where(m => !running.ContainsKey(m.Key)))
                running[address] = (id, Launch(id, address));
            foreach (var address in running.Keys.Where(a => !live.ContainsKey(a)).ToList())
            {
                Write($"{running[address].Id} at {address} is gone: killing its agent");
                Kill(running[address].Process);
                running.Remove(address);
            }
            try
            {
                await Task.Delay(100, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private Process Launch(string id, string address)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
                 {
                     AgentDll, "--host", address, "--port", Port.ToString(), "--machine-id", id, "--readiness-path", "/ready",
                     // No metadata server stands behind the emulated VMs: the clouds' own APIs tell the controller of reclaims.
                     "--metadata-url", "http://127.0.0.1:9", "--metadata-poll-ms", "60000",
                 })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start an agent");
        process.OutputDataReceived += (_, e) => Write($"[{id}] {e.Data}");
        process.ErrorDataReceived += (_, e) => Write($"[{id}] {e.Data}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Started++;
        Write($"{id} is live at {address}: agent pid {process.Id}");
        return process;
    }

    private void Write(string line)
    {
        lock (log)
            log.AppendLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        foreach (var (_, (_, process)) in running)
            Kill(process);
        running.Clear();
        stop.Dispose();
    }
}
