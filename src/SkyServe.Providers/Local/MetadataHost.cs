using Microsoft.Extensions.Logging;

namespace SkyServe.Providers.Local;

/// <summary>
/// Decides which of the processes sharing a local runtime serves its metadata endpoint, and with it runs the spot
/// market: the one that binds the port stored in the state (<see cref="LocalState.MetadataPort"/>), so that the agents,
/// started with that port in their metadata URL, always poll the same address. The others try to bind it every
/// <see cref="LocalProviderOptions.MetadataTakeoverInterval"/>: when its holder dies (or is disposed) one of them gets
/// it, serves the notices kept in the state, and the agents' polls (which back off, and give up only after
/// <see cref="AgentArguments.OrphanExitAfter"/>) find it again.
/// A port held by something that answers HTTP but is not this runtime's server (after a reboot, say) is given up for a
/// fresh one, recorded in the state: agents started since poll that one (those started before are lost with the old port,
/// as they were before processes shared the runtime).
/// </summary>
public sealed class MetadataHost(SharedLocalState shared, string runtimeId, ILogger log) : IAsyncDisposable
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(2) };

    private volatile MetadataServer? server;
    private volatile bool lost;
    private int reportedPort;

    /// <summary>True while this process serves the endpoint (and so runs the market).</summary>
    public bool IsOwner => server is not null && !lost;

    /// <summary>
    /// Binds the stored port (or, on a fresh runtime or one whose port a stranger holds, any port, recorded in the state
    /// if no other process recorded one first). False when another process of the runtime serves it, or may.
    /// </summary>
    public async Task<bool> TryTakeOverAsync(CancellationToken ct)
    {
        if (server is not null)
            return true;
        var port = await shared.UpdateAsync(s => s.MetadataPort, ct);
        MetadataServer? candidate = null;
        if (port != 0)
        {
            try
            {
                candidate = await MetadataServer.BindAsync(port, runtimeId);
            }
            catch (IOException)
            {
                var holder = await ProbeAsync(port, ct);
                if (holder == PortHolder.Stranger)
                    log.MetadataPortTakenByStranger(port);
                else if (holder == PortHolder.Unknown && Interlocked.Exchange(ref reportedPort, port) != port)
                    log.MetadataPortHolderSilent(port);
                if (holder != PortHolder.Stranger)
                    return false;
            }
        }
        var bound = candidate ?? await MetadataServer.BindAsync(0, runtimeId);
        bool won;
        try
        {
            won = await shared.UpdateAsync(s =>
            {
                if (s.MetadataPort != port)
                    return false; // another process recorded a port meanwhile: that one is the runtime's
                s.MetadataPort = bound.Port;
                bound.ReplaceNotices(NoticesIn(s));
                return true;
            }, ct);
        }
        catch
        {
            await bound.DisposeAsync();
            throw;
        }
        if (!won)
        {
            await bound.DisposeAsync();
            return false;
        }
        lost = false;
        server = bound;
        log.ServingMetadata(bound.Port);
        return true;
    }

    /// <summary>After every change of the state in this process: the owner serves the notices it holds now.</summary>
    public void Sync(LocalState state)
    {
        if (server is not { } current)
            return;
        if (state.MetadataPort != current.Port)
            lost = true; // another process moved the runtime to a new port: it serves from now on
        else
            current.ReplaceNotices(NoticesIn(state));
    }

    /// <summary>Retries the takeover while another process holds the port; steps down if the runtime moved away.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (lost && server is { } moved)
                {
                    server = null;
                    await moved.DisposeAsync();
                    log.StoppedServingMetadata(moved.Port);
                }
                if (server is null)
                    await TryTakeOverAsync(ct);
                // Real time: this polls a socket, whatever clock the market runs on.
                await Task.Delay(interval, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.MetadataTakeoverFailed(e);
                try
                {
                    await Task.Delay(interval, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private static IEnumerable<KeyValuePair<string, DateTimeOffset>> NoticesIn(LocalState state) =>
        state.Machines.Where(m => m.State != MachineState.Terminated && m.NoticeDeadline is not null)
            .Select(m => KeyValuePair.Create(m.Id, m.NoticeDeadline!.Value));

    /// <summary>
    /// Who holds the port: only an HTTP answer that is not this runtime's id makes a stranger. No answer, or a broken one,
    /// may be our own server starting or stopping; moving the port then would cut every agent off, so it waits.
    /// </summary>
    private async Task<PortHolder> ProbeAsync(int port, CancellationToken ct)
    {
        try
        {
            using var response = await Probe.GetAsync($"http://127.0.0.1:{port}{MetadataServer.RuntimeIdPath}", ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            return response.IsSuccessStatusCode && body == runtimeId ? PortHolder.Ours : PortHolder.Stranger;
        }
        catch (HttpRequestException)
        {
            return PortHolder.Unknown;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return PortHolder.Unknown; // the probe's timeout
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (server is { } current)
        {
            server = null;
            await current.DisposeAsync();
        }
    }

    private enum PortHolder
    {
        Ours,
        Stranger,
        Unknown,
    }
}

internal static partial class MetadataHostLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "this process serves the local runtime's metadata endpoint on port {Port} and runs its spot market")]
    public static partial void ServingMetadata(this ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the local runtime moved its metadata endpoint away from port {Port}: this process stops serving it")]
    public static partial void StoppedServingMetadata(this ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the local runtime's metadata port {Port} is held by something else: moving to a new port (agents started before keep polling the old one)")]
    public static partial void MetadataPortTakenByStranger(this ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "the local runtime's metadata port {Port} is taken and does not answer: waiting for it (another process of this runtime may be serving it)")]
    public static partial void MetadataPortHolderSilent(this ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "taking over the local runtime's metadata endpoint failed")]
    public static partial void MetadataTakeoverFailed(this ILogger logger, Exception exception);
}
