using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Hosting;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Passes wakes between the controllers of one PostgreSQL: an API write, a notice or a load balancer's report taken by a
/// standby reaches the controller that leads at once (<c>NOTIFY skyserve_reconcile</c> with the service ids), not at its
/// next resync. Wakes are gathered for a few milliseconds into one notification. Nothing to do on SQLite (one controller).
/// </summary>
public sealed partial class PeerWakes(ReconcileSignal signal, IOptions<ControllerOptions> options, ILogger<PeerWakes> log) : BackgroundService
{
    public const string Channel = "skyserve_reconcile";
    private const int MaxPayload = 7000; // PostgreSQL's limit is 8000 bytes
    private readonly Channel<long> outgoing = System.Threading.Channels.Channel.CreateBounded<long>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = options.Value.PostgresConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
            return;
        signal.Woken += Send;
        try
        {
            await Task.WhenAll(ListenAsync(connectionString, stoppingToken), SendAsync(connectionString, stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            signal.Woken -= Send;
        }
    }

    private void Send(long serviceId) => outgoing.Writer.TryWrite(serviceId);

    private async Task SendAsync(string connectionString, CancellationToken ct)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        var pending = new HashSet<long>();
        while (await outgoing.Reader.WaitToReadAsync(ct))
        {
            await Task.Delay(5, ct); // gather the wakes of one burst
            while (outgoing.Reader.TryRead(out var id))
                pending.Add(id);
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(ct);
                foreach (var payload in Payloads(pending))
                {
                    await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
                    notify.Parameters.AddWithValue("channel", Channel);
                    notify.Parameters.AddWithValue("payload", payload);
                    await notify.ExecuteNonQueryAsync(ct);
                }
                pending.Clear();
                backoff.Reset();
            }
            catch (Exception e) when (DatabaseFailures.IsTransient(e) && !ct.IsCancellationRequested)
            {
                // Kept for the next try; the leader's resync catches up whatever is lost meanwhile.
                await Task.Delay(backoff.Next(), ct);
            }
        }
    }

    private static IEnumerable<string> Payloads(IEnumerable<long> ids)
    {
        var chunk = new List<string>();
        var length = 0;
        foreach (var id in ids.Select(i => i.ToString(CultureInfo.InvariantCulture)))
        {
            if (length + id.Length + 1 > MaxPayload)
            {
                yield return string.Join(',', chunk);
                chunk.Clear();
                length = 0;
            }
            chunk.Add(id);
            length += id.Length + 1;
        }
        if (chunk.Count > 0)
            yield return string.Join(',', chunk);
    }

    private async Task ListenAsync(string connectionString, CancellationToken ct)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString)
                {
                    Pooling = false, KeepAlive = 2, ApplicationName = "skyserve-wakes",
                }.ConnectionString);
                await connection.OpenAsync(ct);
                connection.Notification += (_, e) =>
                {
                    foreach (var id in e.Payload.Split(',', StringSplitOptions.RemoveEmptyEntries))
                        if (long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var serviceId))
                            signal.WakeHere(serviceId);
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                backoff.Reset();
                while (true)
                    await connection.WaitAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && (DatabaseFailures.IsTransient(e) || e is NpgsqlException or IOException))
            {
                ListenBroke(log, DatabaseFailures.Cause(e)); // wakes missed meanwhile are caught by the leader's resync
                await Task.Delay(backoff.Next(), ct);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "listening for other controllers' wakes broke ({Cause}); listening again")]
    private static partial void ListenBroke(ILogger log, string cause);
}
