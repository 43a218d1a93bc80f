using System.Diagnostics;
using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests;

/// <summary>
/// The test host (tests/SkyServe.LocalRuntimeHost) running as a process of its own on a local runtime's state directory:
/// a second process sharing the runtime, which a test can kill outright, as a controller crashes.
/// </summary>
public sealed class LocalRuntimeHostProcess : IAsyncDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);
    private readonly Process process;
    private readonly Task<string> stderr;

    private LocalRuntimeHostProcess(Process process)
    {
        this.process = process;
        stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Whether it served the metadata endpoint (and ran the market) once started.</summary>
    public bool RanMarketAtStart { get; private set; }

    public static async Task<LocalRuntimeHostProcess> StartAsync(string stateDirectory, string zone, TimeSpan provisioningDelay)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SkyServe.LocalRuntimeHost.dll"));
        info.ArgumentList.Add(stateDirectory);
        info.ArgumentList.Add(RepoPaths.Config);
        info.ArgumentList.Add(ReplicaAgentLocation.Dll());
        info.ArgumentList.Add(zone);
        info.ArgumentList.Add(((long)provisioningDelay.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var host = new LocalRuntimeHostProcess(Process.Start(info)!);
        var ready = await host.ReadAsync("ready ");
        host.RanMarketAtStart = ready == "ready runs-market=True";
        return host;
    }

    public int Pid => process.Id;

    /// <summary>Launches through the host; the machine's id and endpoint.</summary>
    public async Task<(string Id, string Endpoint)> LaunchAsync(string clientToken, bool spot)
    {
        await process.StandardInput.WriteLineAsync($"launch {clientToken} {(spot ? "spot" : "on-demand")}");
        var words = (await ReadAsync("launched ")).Split(' ');
        return (words[1], words[2]);
    }

    /// <summary>SIGKILL to the host alone (not its agents): no dispose, no clean-up, its lock and port freed by the kernel.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: false);
        await process.WaitForExitAsync();
    }

    private async Task<string> ReadAsync(string expectedPrefix)
    {
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the local runtime host said nothing within {AnswerTimeout.TotalSeconds:0} s");
        }
        if (line is null || !line.StartsWith(expectedPrefix, StringComparison.Ordinal))
        {
            if (line is null)
                await process.WaitForExitAsync();
            throw new InvalidOperationException($"the local runtime host answered '{line}' (expected '{expectedPrefix}...'): {(process.HasExited ? await stderr : "")}");
        }
        return line;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.StandardInput.Close(); // it disposes its provider and exits; machines stay
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: false);
            }
        }
        process.Dispose();
    }
}
