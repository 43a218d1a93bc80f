using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Controller.Services;
using SkyServe.Contracts.Notices;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Api;

/// <summary>
/// The agent → controller contract (and, through <see cref="AgentPackageEndpoint"/>, the agent archive its machine boots
/// from): POST /api/v1/agent/notices, where a replica's agent reports the interruption
/// notice it read from its cloud's metadata service the moment it arrives. It feeds the same handling as the
/// provider's notice stream. Authorized by the replica's own agent token (see <see cref="ScopedTokens"/>), which
/// also names the replica, or by the API token, with which the machine id names it.
/// </summary>
public static class AgentEndpoints
{
    /// <summary>How the replica's row says it learned of the notice (the same whether pushed or read from /health).</summary>
    public const string Source = "reported by the replica's agent";

    public static void MapAgentApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(AgentApi.Notices, ReceiveNoticeAsync).WithTags("agents")
            .WithSummary("An agent reports its machine's interruption notice: the replica leaves rotation and its replacement launches now.");
        app.MapGet(AgentApi.Nodes, ListNodesAsync).WithTags("agents")
            .WithSummary("An agent of a multi-node replica asks for its nodes' addresses (head first), which it needs before setup.");
        app.MapAgentPackage();
        app.MapAgentBlobs();
    }

    private static async Task<IResult> ReceiveNoticeAsync(AgentNoticeReport report, HttpRequest request, ScopedTokens tokens,
        NoticeIntake intake, ControllerDb db, TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        var presented = ScopedTokens.Presented(request);
        if (presented is null)
            return Unauthorized(request);
        if (string.IsNullOrWhiteSpace(report.MachineId) || report.Deadline is null)
            throw new InvalidRequestException("machine_id and deadline are required");

        // An agent's token names its replica (by launch token) and is good for that machine only; the API token may
        // report for any machine.
        Guid? agentsReplica = tokens.TryReadAgentToken(presented, out var launchToken) ? launchToken : null;
        if (agentsReplica is null && !tokens.IsAdmin(presented))
            return Unauthorized(request);
        var replicas = db.Replicas.AsNoTracking();
        // A provider set qualifies ids (aws:i-0abc); the agent knows only its cloud's (i-0abc).
        var candidates = agentsReplica is { } token
            ? await replicas.Where(r => r.LaunchToken == token).ToListAsync(ct)
            : await replicas.Where(r => r.InstanceId == report.MachineId || r.InstanceId!.EndsWith(":" + report.MachineId)).ToListAsync(ct);
        if (candidates.Count == 0 && agentsReplica is null) // a worker node's machine (workers are in a JSON column: matched here)
            candidates = (await replicas.Where(r => r.WorkerNodes != null).ToListAsync(ct)).Where(r => IsMachineOf(r, report.MachineId)).ToList();
        var replica = candidates.FirstOrDefault(r => r.HasMachine(report.MachineId)) ?? (candidates.Count == 1 ? candidates[0] : null);
        if (replica is null)
            return NoReplica(report.MachineId);
        if (agentsReplica is not null && !IsMachineOf(replica, report.MachineId))
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not this agent's machine",
                detail: $"this agent's token is for replica {replica.ReplicaId}, which does not run on machine {report.MachineId}");

        var log = logs.CreateLogger(typeof(AgentEndpoints));
        var kind = (report.Kind ?? InterruptionKind.Preemption).WireName();
        var now = time.GetUtcNow();
        if (NoticePlausibility.Refusal(replica.IsSpot, replica.Cloud, kind, report.Deadline.Value, now) is { } refusal)
        {
            log.NoticeRefused(kind, report.MachineId, replica.ReplicaId, replica.Cloud, replica.IsSpot ? "spot" : "on-demand", report.Deadline, refusal);
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Implausible notice", detail: refusal);
        }

        var outcome = await intake.ApplyAsync(replica.LaunchToken, report.Deadline.Value, now, Source, ct);
        log.NoticeReported(report.MachineId, replica.ReplicaId, kind, report.Source ?? "cloud's", report.Deadline, outcome);
        return outcome switch
        {
            NoticeOutcome.Applied => Results.Accepted(value: new AgentNoticeAnswer(replica.ReplicaId, Applied: true)),
            NoticeOutcome.AlreadyKnown => Results.Ok(new AgentNoticeAnswer(replica.ReplicaId, Applied: false)),
            _ => NoReplica(report.MachineId),
        };
    }

    /// <summary>Whether the machine is one of the replica's nodes' (the head's or a worker's), its id qualified by a provider set or not.</summary>
    private static bool IsMachineOf(ReplicaRecord replica, string machineId) =>
        replica.MachineIds.Any(id => id == machineId || id.EndsWith(":" + machineId, StringComparison.Ordinal));

    /// <summary>
    /// The addresses of the replica's nodes, head first, once every node has one; until then <c>ips</c> is null and the
    /// agent asks again. Authorized by the replica's agent token only (every node of the replica carries the same).
    /// </summary>
    private static async Task<IResult> ListNodesAsync(HttpRequest request, ScopedTokens tokens, ControllerDb db, CancellationToken ct)
    {
        if (ScopedTokens.Presented(request) is not { } presented || !tokens.TryReadAgentToken(presented, out var launchToken))
            return Unauthorized(request);
        var replica = await db.Replicas.AsNoTracking().SingleOrDefaultAsync(r => r.LaunchToken == launchToken, ct);
        if (replica is null)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Replica not found",
                detail: "the replica of this agent's token is gone; its machines are being terminated");
        return Results.Ok(new AgentNodesAnswer(replica.ReplicaId, replica.NodeCount, NodeAddresses.Of(replica)));
    }

    private static IResult NoReplica(string machineId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Replica not found", detail: $"no replica runs on machine {machineId}");

    private static IResult Unauthorized(HttpRequest request)
    {
        request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: "send the replica's agent token (given at launch) or the API token as 'Authorization: Bearer <token>'");
    }
}

internal static partial class AgentEndpointsLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "refused a {Kind} notice for machine {Machine} (replica {Replica}, {Cloud}, {Market}) for {Deadline}: {Refusal}")]
    public static partial void NoticeRefused(this ILogger logger, string kind, string machine, int replica, string cloud, string market,
        DateTimeOffset? deadline, string refusal);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "the agent of machine {Machine} (replica {Replica}) reported a {Kind} notice from its {Format} metadata for {Deadline}: {Outcome}")]
    public static partial void NoticeReported(this ILogger logger, string machine, int replica, string kind, string format, DateTimeOffset? deadline,
        NoticeOutcome outcome);
}
