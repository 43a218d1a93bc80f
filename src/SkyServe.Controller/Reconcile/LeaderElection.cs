using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Who reconciles, as a fenced lease: the <c>controller_leases</c> row "reconcile" names its holder and a generation that
/// grows by one each time it changes hands. The holder's writes and acts are checked against that generation
/// (<see cref="FencedWrites"/>, <see cref="EnsureHeldAsync"/>), so a controller that lost the lease without knowing it yet
/// is refused by the database rather than trusted.
/// <para>
/// On PostgreSQL the lease is taken only together with a session advisory lock on a dedicated connection: when the holder
/// dies its session ends, the lock is free at once and a standby takes the lease (bumping the generation) on its next try.
/// A watcher on that connection ends the leadership the moment it breaks. On SQLite there is one controller; the lease
/// is taken when free or expired. Either way the holder renews it every <see cref="ReconcileOptions.LeaseRenewal"/>, and
/// stops acting by itself once a renewal is older than <see cref="ReconcileOptions.LeaseTtl"/> (a database that stopped
/// answering). Every controller serves the API whatever it holds.
/// </para>
/// </summary>
public sealed partial class LeaderElection(
    IOptions<ControllerOptions> options, IServiceScopeFactory scopes, ControllerIdentity identity, TimeProvider time,
    ILogger<LeaderElection> log) : IAsyncDisposable
{
    public const string LeaseName = "reconcile";
    private const long LockKey = 0x536b7953_65727665; // "SkySserve"
    private readonly SemaphoreSlim gate = new(1, 1);
    private NpgsqlConnection? connection;
    private CancellationTokenSource? watching;
    private Task watcher = Task.CompletedTask;
    private volatile bool leading;
    private long generation;
    private long renewedAt; // TimeProvider timestamp of the last successful renewal
    private long? lostAt; // when it last lost the lease: it leaves the next try to the others for a moment

    private ReconcileOptions Reconcile => options.Value.Reconcile;
    private bool OnPostgres => !string.IsNullOrWhiteSpace(options.Value.PostgresConnectionString);

    /// <summary>Whether this controller holds the lease now, without asking the database: cleared when its connection breaks or a renewal lapses.</summary>
    public bool HoldsLock => leading && time.GetElapsedTime(Interlocked.Read(ref renewedAt)) < Reconcile.LeaseTtl;

    /// <summary>The lease's generation while <see cref="HoldsLock"/>: what every fenced write and act is checked against.</summary>
    public long Generation => Interlocked.Read(ref generation);

    /// <summary>Raised (once) when this controller stops holding the lease it held.</summary>
    public event Action? LeadershipLost;

    /// <summary>
    /// Takes the lease when free, or renews it when held; whether this controller leads afterwards. Throws what the
    /// database threw when it cannot be asked (the caller retries).
    /// </summary>
    public async Task<bool> IsLeaderAsync(CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            if (leading && !HoldsLock)
                await LoseAsync("its renewal lapsed");
            if (leading)
            {
                if (time.GetElapsedTime(Interlocked.Read(ref renewedAt)) >= Reconcile.LeaseRenewal)
                    await RenewAsync(ct);
                return leading;
            }
            return await AcquireAsync(ct);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Throws <see cref="LeaseLostException"/> unless the database still names this controller's generation: checked before every act on a cloud.</summary>
    public async Task EnsureHeldAsync(ControllerDb db, long expected, CancellationToken ct)
    {
        var current = await FencedWrites.CurrentGenerationAsync(db, forShare: false, ct);
        if (current != expected || !HoldsLock)
            throw new LeaseLostException(expected, current);
    }

    /// <summary>A fenced write or act was refused: stop leading at once (the next try takes the lease again if it is free).</summary>
    public async Task ResignAsync(string why)
    {
        await gate.WaitAsync();
        try
        {
            if (leading)
                await LoseAsync(why);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<bool> AcquireAsync(CancellationToken ct)
    {
        // A controller whose session was cut (or whose renewals lapsed) is the one most likely to be in trouble: a healthy
        // standby gets the first chance to take over.
        if (lostAt is { } lost && time.GetElapsedTime(lost) < Reconcile.LeaseRenewal * 2)
            return false;
        if (OnPostgres && !await LockAsync(ct))
            return false;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
            var now = time.GetUtcNow().UtcDateTime;
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO controller_leases (name, owner, generation, acquired_at, renewed_at) VALUES ({LeaseName}, '', 0, {now}, {now}) ON CONFLICT DO NOTHING", ct);
            // With the advisory lock held nobody else can be acting (its session is gone); without it (SQLite) only a lease
            // that is ours or has expired is taken.
            var expired = now - Reconcile.LeaseTtl;
            var taken = OnPostgres
                ? await db.Database.ExecuteSqlAsync(
                    $"UPDATE controller_leases SET owner = {identity.Id}, generation = generation + 1, acquired_at = {now}, renewed_at = {now} WHERE name = {LeaseName}", ct)
                : await db.Database.ExecuteSqlAsync(
                    $"UPDATE controller_leases SET owner = {identity.Id}, generation = generation + 1, acquired_at = {now}, renewed_at = {now} WHERE name = {LeaseName} AND (owner = {identity.Id} OR owner = '' OR renewed_at < {expired})", ct);
            if (taken == 0)
                return false;
            var next = await FencedWrites.CurrentGenerationAsync(db, forShare: false, ct) ?? 0;
            Interlocked.Exchange(ref generation, next);
            Interlocked.Exchange(ref renewedAt, time.GetTimestamp());
            leading = true;
            Leads(log, next);
            return true;
        }
        catch
        {
            await CloseAsync();
            throw;
        }
    }

    private async Task RenewAsync(CancellationToken ct)
    {
        var started = time.GetTimestamp();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var now = time.GetUtcNow().UtcDateTime;
        var held = Generation;
        var renewed = await db.Database.ExecuteSqlAsync(
            $"UPDATE controller_leases SET renewed_at = {now} WHERE name = {LeaseName} AND owner = {identity.Id} AND generation = {held}", ct);
        if (renewed == 1)
            Interlocked.Exchange(ref renewedAt, started);
        else
            await LoseAsync("another controller holds it now");
    }

    /// <summary>The advisory lock on a connection of its own, watched until it breaks.</summary>
    private async Task<bool> LockAsync(CancellationToken ct)
    {
        await CloseAsync();
        connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(options.Value.PostgresConnectionString)
        {
            Pooling = false, // the lock is the session's: never hand this connection to anyone else
            KeepAlive = 2, // a silent network cut shows within seconds, not at the next query
            ApplicationName = "skyserve-leader",
        }.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", LockKey);
            if (!(bool)(await command.ExecuteScalarAsync(ct))!)
            {
                await CloseAsync();
                return false;
            }
        }
        catch
        {
            await CloseAsync();
            throw;
        }
        watching = new CancellationTokenSource();
        watcher = WatchAsync(connection, watching.Token);
        return true;
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
            var wasLeading = leading;
            leading = false; // before anything else: no act may start on a stale belief
            lostAt = time.GetTimestamp();
            Lost(log, DatabaseFailures.Cause(e));
            if (wasLeading)
                LeadershipLost?.Invoke();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task LoseAsync(string why)
    {
        var wasLeading = leading;
        await CloseAsync();
        if (!wasLeading)
            return;
        lostAt = time.GetTimestamp();
        Lost(log, why);
        LeadershipLost?.Invoke();
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

    /// <summary>Hands the lease back on a clean stop, so that a standby takes over at once rather than after the TTL.</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            if (!leading)
                return;
            var held = Generation;
            leading = false;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
                await db.Database.ExecuteSqlAsync(
                    $"UPDATE controller_leases SET owner = '' WHERE name = {LeaseName} AND owner = {identity.Id} AND generation = {held}", ct);
            }
            catch (Exception e) when (DatabaseFailures.IsTransient(e) || e is OperationCanceledException)
            {
                // The lock goes with the connection and the lease expires: a standby takes over all the same.
            }
            await CloseAsync();
        }
        finally
        {
            gate.Release();
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

    [LoggerMessage(Level = LogLevel.Information, Message = "this controller now leads the reconcile loop (lease generation {Generation})")]
    private static partial void Leads(ILogger log, long generation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "no longer leading: {Cause}")]
    private static partial void Lost(ILogger log, string cause);
}

/// <summary>A fenced write or act of a controller whose lease generation is no longer the database's.</summary>
public sealed class LeaseLostException(long held, long? current)
    : Exception($"the reconcile lease moved on (held generation {held}, the database's is {current?.ToString() ?? "none"}): this controller no longer leads")
{
    public long Held { get; } = held;
}

/// <summary>This controller process's name in leases: host, process id and a random suffix (a restarted process is someone else).</summary>
public sealed class ControllerIdentity
{
    public string Id { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
}
