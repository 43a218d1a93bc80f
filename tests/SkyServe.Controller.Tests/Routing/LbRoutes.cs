using System.Globalization;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Contracts;
using SkyServe.Contracts.Routing;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Domain;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests.Routing;

/// <summary>The load balancer's side of GET /api/v1/lb/routes, and the replica rows that change it.</summary>
internal static class LbRoutes
{
    public static async Task<RoutesView> GetAsync(HttpClient client, string? since = null, double waitSeconds = 0)
    {
        var query = since is null ? "" : $"?since={Uri.EscapeDataString(since)}&wait_seconds={waitSeconds.ToString(CultureInfo.InvariantCulture)}";
        return (await client.GetFromJsonAsync<RoutesView>(LoadBalancerApi.Routes + query, ContractJson.Options))!;
    }

    /// <summary>The whole table once it satisfies <paramref name="condition"/>.</summary>
    public static async Task<RoutesView> FullWhenAsync(HttpClient client, Func<RoutesView, bool> condition, string what)
    {
        RoutesView? last = null;
        await Eventually.TrueAsync(async () => condition(last = await GetAsync(client)), TimeSpan.FromSeconds(10),
            () => $"{what}; routes: {string.Join(", ", last?.Services.Select(s => s.Name) ?? [])}");
        return last!;
    }

    public static IEnumerable<string> Names(this RoutesView routes) => routes.Services.Select(s => s.Name);

    /// <summary>The counter part of a revision token (INCARNATION-N): tests may look inside it.</summary>
    public static long Number(string revision) => long.Parse(revision[(revision.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);

    /// <summary>A replica row as the reconcile loop would write it.</summary>
    public static async Task<int> AddReplicaAsync(ControllerServer server, string service, ReplicaStatus status, string endpoint, int? version = null)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var owner = await db.Services.SingleAsync(s => s.Name == service);
        var now = DateTime.UtcNow;
        var replica = new ReplicaRecord
        {
            ServiceId = owner.Id, ReplicaId = owner.NextReplicaId++, Version = version ?? owner.CurrentVersion, Status = status, IsSpot = true,
            Cloud = "aws", Region = "us-east-1", Zone = "us-east-1a", LaunchToken = Guid.NewGuid(), Endpoint = endpoint,
            CreatedAt = now, StatusChangedAt = now,
        };
        db.Replicas.Add(replica);
        await db.SaveChangesAsync();
        return replica.ReplicaId;
    }
}
