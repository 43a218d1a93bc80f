using Microsoft.Extensions.Options;
using Npgsql;
using SkyServe.Controller.Hosting;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Who reconciles. On SQLite there is one controller. On PostgreSQL, the holder of a session advisory lock
/// on a dedicated connection: if that controller dies its connection closes, the lock is released, and
/// another controller takes over on its next try. Every controller serves the API either way.
/// </summary>
public sealed class LeaderElection(IOptions<ControllerOptions> options, ILogger<LeaderElection> log) : IAsyncDisposable
{
    private const long LockKey = 0x536b7953_65727665; // "SkySserve"
    private readonly SemaphoreSlim gate = new(1, 1);
    private NpgsqlConnection? connection;
    private bool leading;

    public async Task<bool> IsLeaderAsync(CancellationToken ct)
    {
        var connectionString = options.Value.PostgresConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
            return true;
        await gate.WaitAsync(ct);
        try
        {
            if (leading && connection?.State == System.Data.ConnectionState.Open)
                return true;
            leading = false;
            if (connection is not null)
                await connection.DisposeAsync();
            connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", LockKey);
            leading = (bool)(await command.ExecuteScalarAsync(ct))!;
            if (leading)
                log.LogInformation("this controller now leads the reconcile loop");
            return leading;
        }
        catch (NpgsqlException e)
        {
            log.LogWarning("leader election failed: {Error}", e.Message);
            leading = false;
            return false;
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null)
            await connection.DisposeAsync();
    }
}
