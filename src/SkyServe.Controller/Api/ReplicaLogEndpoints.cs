using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Services;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Api;

/// <summary><c>GET /api/v1/services/{name}/replicas/{id}/logs</c>: a replica's engine log, read from its agent.</summary>
public static class ReplicaLogEndpoints
{
    public const int DefaultTail = 100;
    public const int MaxTail = 100_000;

    public static RouteGroupBuilder MapReplicaLogs(this RouteGroupBuilder api)
    {
        api.MapGet("/services/{name}/replicas/{replicaId:int}/logs", LogsAsync)
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .WithSummary("A replica's engine log (setup and run output) from its agent: ?tail=N last lines (100); ?follow=true streams new lines.");
        return api;
    }

    private static async Task LogsAsync(HttpContext http, string name, int replicaId, int? tail, bool? follow,
        ServiceStore store, ControllerDb db, ReplicaLogClient logs, CancellationToken ct)
    {
        if (tail is < 0 or > MaxTail)
            throw new InvalidRequestException($"tail must be between 0 and {MaxTail}");
        var service = await store.FindAsync(name, ct);
        var replica = await db.Replicas.AsNoTracking().SingleOrDefaultAsync(r => r.ServiceId == service.Id && r.ReplicaId == replicaId, ct)
            ?? throw new ReplicaNotFoundException(name, replicaId);
        var what = $"replica {replicaId} of service '{name}'";
        if (replica.Endpoint is null || replica.Status.IsTerminal())
            throw new ReplicaAgentException(StatusCodes.Status409Conflict, "Replica not running",
                $"{what} is {replica.Status} and has no running machine to read logs from");
        await logs.CopyAsync(replica.Endpoint, what, tail ?? DefaultTail, follow ?? false, http.Response, ct);
    }
}
