using Microsoft.Extensions.Options;
using Npgsql;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Hosting;

namespace SkyServe.Controller.Routing;

/// <summary>
/// On PostgreSQL, LISTENs on a dedicated connection for the routing changes other controllers write
/// (<see cref="RouteNotifications"/>) and marks those services for the routing table. Notices sent while the connection
/// was down are lost, so every (re)connection marks every service: the table recomputes all of them once.
/// </summary>
public sealed partial class RouteChangeListener(
    IOptions<ControllerOptions> options, RoutingChangeSignal changes, DatabaseOutage outage, TimeProvider time, ILogger<RouteChangeListener> log)
    : BackgroundService
{
    private readonly Backoff backoff = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    private volatile bool listening;

    /// <summary>True while LISTEN is in place (tests wait for it).</summary>
    public bool IsListening => listening;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = options.Value.PostgresConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
            return; // SQLite: one controller, whose own writes mark the table directly
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false, // LISTEN belongs to the session: never hand this connection to anyone else
            KeepAlive = 5, // a silent network cut shows within seconds, not at the next full recompute
            ApplicationName = "skyserve-routes",
        };
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(builder.ConnectionString, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                listening = false;
                if (DatabaseFailures.IsTransient(e))
                    outage.Failed("routing notifications", e);
                else
                    ListenFailed(log, e);
                await Task.Delay(backoff.Next(), time, stoppingToken);
            }
        }
    }

    private async Task ListenAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        connection.Notification += (_, e) =>
        {
            if (e.Channel == RouteNotifications.Channel)
                changes.Changed(RouteNotifications.Parse(e.Payload));
        };
        await connection.OpenAsync(ct);
        await using (var listen = new NpgsqlCommand($"LISTEN {RouteNotifications.Channel}", connection))
            await listen.ExecuteNonQueryAsync(ct);
        // Only now: whatever changed before LISTEN took effect is read by this full recompute.
        changes.ChangedAll();
        outage.Succeeded();
        backoff.Reset();
        listening = true;
        while (true)
            await connection.WaitAsync(ct); // returns after each notification (raised as the event above) or keepalive
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "listening for other controllers' routing changes failed; retrying")]
    private static partial void ListenFailed(ILogger log, Exception exception);
}
