namespace SkyServe.Contracts.Routing;

// The controller ↔ load balancer contract, snake_case on the wire: the routes a load balancer follows
// (GET /api/v1/lb/routes), the traffic it reports (POST /api/v1/lb/stats) and the replicas that failed it.

/// <summary>The endpoints, relative to the controller's URL.</summary>
public static class LoadBalancerApi
{
    public const string Routes = "api/v1/lb/routes";
    public const string Stats = "api/v1/lb/stats";
    public const string ReplicaFailures = "api/v1/lb/replica-failures";
    public const string Token = "api/v1/tokens/load-balancer";
}

/// <summary>
/// The routes, whole or as the changes since a revision. A load balancer passes <see cref="Revision"/> back as
/// ?since= to wait for the next change: the answer then holds only the services that changed after it and the names
/// removed after it (<see cref="Full"/> false). Without a since, or with one the controller cannot answer as a delta
/// (another controller's or an earlier run's, or older than the removals it remembers), the answer is the whole table.
/// </summary>
/// <param name="Revision">Opaque: the controller's run and a counter that grows with every change of the table.</param>
/// <param name="Full">True: <see cref="Services"/> is every service (replace the table); false: only the changed ones (merge).</param>
/// <param name="Services">Each one replaces the service of that name.</param>
/// <param name="Removed">Names of services gone since the given revision (always empty in a full answer).</param>
public sealed record RoutesView(string Revision, bool Full, IReadOnlyList<ServiceRoutesView> Services, IReadOnlyList<string> Removed);

/// <param name="ReadyReplicas">The replicas to send traffic to: READY, not under notice, of a serving version.</param>
/// <param name="MinReplicas">0 for a scale-to-zero service: load balancers hold its requests while a replica comes up.</param>
/// <param name="BuiltInEngine">
/// The spec has <c>model:</c>: replicas serve only the built-in engine's OpenAI API, so load balancers forward
/// only its paths; otherwise (<c>run:</c>) they forward every path but the agent's own management paths. False from a
/// controller that predates it.
/// </param>
/// <param name="EndpointPort">
/// The service's own endpoint port (SkyPilot's <c>http://HOST:PORT</c>): load balancers started with service ports
/// listen on it for this service alone, beside the shared port. Null from a controller that predates it.
/// </param>
/// <param name="Tls">The spec's <c>service.tls</c>: load balancers serve HTTPS on the service's own port with it.</param>
public sealed record ServiceRoutesView(string Name, string Status, string LoadBalancingPolicy, int MinReplicas, IReadOnlyList<int> ServingVersions,
    IReadOnlyList<RouteReplicaView> ReadyReplicas, bool BuiltInEngine = false, int? EndpointPort = null, ServiceTlsView? Tls = null);

/// <summary>A service's certificate (chain) and its private key, PEM-encoded, as the owner uploaded them with the spec.</summary>
public sealed record ServiceTlsView(string CertificatePem, string KeyPem);

/// <param name="Weight">Relative capacity: the per-GPU QPS target for instance-aware balancing, else 1.</param>
public sealed record RouteReplicaView(int ReplicaId, string Url, int Version, string Location, bool IsSpot, string? Accelerator, double Weight);

/// <summary>What a load balancer posts every few seconds (POST /api/v1/lb/stats).</summary>
public sealed record LoadBalancerStats(string LoadBalancer, IReadOnlyList<ServiceRequestStats> Services);

/// <param name="Requests">Requests received since the previous post.</param>
/// <param name="Endpoint">Where this load balancer serves the service (shown in the service's status).</param>
public sealed record ServiceRequestStats(string Name, double Requests, string? Endpoint = null);

/// <summary>A load balancer's report that an attempt on a replica failed (POST /api/v1/lb/replica-failures).</summary>
public sealed record ReplicaFailureReport(string Service, int ReplicaId, string Reason);
