using SkyServe.Controller.Persistence;

namespace SkyServe.Controller.Api;

/// <summary>A replica's node addresses (SkyPilot's SKYPILOT_NODE_IPS): the host of each node's endpoint, by rank, head first.</summary>
public static class NodeAddresses
{
    /// <summary>Every node's address, or null while some node has none yet (a cloud gives one only once the machine is up).</summary>
    public static IReadOnlyList<string>? Of(ReplicaRecord replica)
    {
        string?[] endpoints = [replica.Endpoint, .. (replica.WorkerNodes ?? []).OrderBy(w => w.Rank).Select(w => w.Endpoint)];
        var hosts = endpoints.Select(e => e is not null && Uri.TryCreate(e, UriKind.Absolute, out var url) ? url.Host : null).ToList();
        return hosts.Any(h => h is null) ? null : hosts.Select(h => h!.Trim('[', ']')).ToList();
    }
}
