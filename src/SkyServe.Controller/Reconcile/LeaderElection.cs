using Microsoft.Extensions.Options;
using Npgsql;
using SkyServe.Controller.Hosting;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Who reconciles. On SQLite there is one controller. On PostgreSQL, the holder of a session advisory lock
/// on a dedicated connection: if that controller dies its connection closes, the lock is released, and
/// another controller takes over on its next try. Every controller serves the API either way.
/// The lock lives only as long as its connection, so a watcher waits on that connection and ends the
/// leadership the moment it breaks (a database restart, a network cut): leadership is never assumed
/// while the database is away, and is tried for again once it is back.
/// </summary>
public sealed partial class LeaderElection(IOptions<ControllerOptions> options, ILogger<LeaderElection> log) : IAsyncDisposable
{
    private const long LockKey = 0x536b7953_65727665; // "SkySserve"
    private readonly SemaphoreSlim gate = new(1, 1);
    private NpgsqlConnection? connection;
    private CancellationTokenSource? watching;
    private Task watcher = Task.CompletedTask;
    private volatile bool leading;

    /// <summary>Whether this controller holds the lock now, without asking the database (the watcher keeps it true).</summary>
    public bool HoldsLock => leading;

    /// <summary>Whether this controller leads; throws what the database threw when it cannot be asked (the caller retries).</summary>
    public async Task<bool> IsLeaderAsync(CancellationToken ct)
    {
        var connectionString = options.Value.PostgresConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
            return true;
        if (leading)
            return true; // the watcher clears it as soon as the lock's connection breaks
        await gate.WaitAsync(ct);
        try
        {
            if (leading)
                return true;
            await CloseAsync();
            connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString)
            {
                Pooling = false, // the lock is the session's: never hand this connection to anyone else
                KeepAlive = 2, // a silent network cut shows within seconds, not at the next query
                ApplicationName = "skyserve-leader",
            }.ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", LockKey);
            if (!(bool)(await command.ExecuteScalarAsync(ct))!)
                return false;
            watching = new CancellationTokenSource();
            watcher = WatchAsync(connection, watching.Token);
            leading = true;
            Leads(log);
            return true;
        }
        catch
        {
            await CloseAsync();
            throw;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Waits on the lock's connection (it sends nothing but keepalives) until it breaks.</summary>
    private async Task WatchAsync(NpgsqlConnection held, CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            while (true)
                await held.WaitAsync(ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            leading = false; // before anything else: no pass may start on a stale belief
            Lost(log, Persistence.DatabaseFailures.Cause(e));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CloseAsync()
    {
        leading = false;
        if (watching is not null)
        {
            await watching.CancelAsync();
            await watcher.ContinueWith(_ => { }, TaskScheduler.Default);
            watching.Dispose();
            watching = null;
        }
        if (connection is not null)
        {
            await connection.DisposeAsync();
            connection = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await gate.WaitAsync();
        try
        {
            await CloseAsync();
        }
        finally
        {
            gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "this controller now leads the reconcile loop")]
    private static partial void Leads(ILogger log);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the leader lock's connection broke ({Cause}); no longer leading until the database answers again")]
    private static partial void Lost(ILogger log, string cause);
}
