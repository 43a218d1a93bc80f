using System.Text.Json.Nodes;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Domain;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Api;

internal static class ViewMapping
{
    /// <param name="showSecrets">Show the values of the spec's envs; otherwise each is <see cref="SpecSecrets.Redacted"/>. Values of its secrets never show.</param>
    /// <param name="allReplicas">List finished replicas too (their cost counts either way).</param>
    /// <param name="onDemandPrice">The on-demand price of an instance type in a region (<see cref="Cloud.OnDemandPrices"/>).</param>
    /// <param name="now">Costs are computed on read, up to this moment (<see cref="CostAccounting"/>): no job rewrites replica rows.</param>
    public static ServiceDetailView ToDetail(this ServiceRecord s, IReadOnlyList<ServiceVersionRecord> versions,
        IReadOnlyList<ReplicaRecord> replicas, bool showSecrets, DateTime now, Func<string, string, string?, decimal?> onDemandPrice,
        double requestsPerSecond, bool allReplicas = false)
    {
        var current = versions.FirstOrDefault(v => v.Version == s.CurrentVersion);
        return new(
            s.Name, s.Status.ToString(), s.CurrentVersion, s.Endpoint, s.CreatedAt, s.UpdatedAt,
            CostView.From(CostAccounting.Summarize(replicas, s.RetiredCost, onDemandPrice, now)), Math.Round(requestsPerSecond, 3),
            current is null ? null : Secret(JsonNode.Parse(current.EffectiveSpec), showSecrets),
            versions.Select(v => v.ToView(showSecrets)).ToList(),
            replicas.Where(r => allReplicas || !r.Status.IsFinished()).Select(r => r.ToView(now)).ToList());
    }

    public static VersionView ToView(this ServiceVersionRecord v, bool showSecrets) => new(
        v.Version, v.Mode.ToWire(), v.CreatedAt, v.MinReplicas, v.MaxReplicas, v.UseSpot, v.SpotPlacer,
        v.LoadBalancingPolicy, v.ReplicaPort, v.ReadinessPath, SpecSecrets.RedactText(v.SpecText, showEnvs: showSecrets));

    public static ReplicaView ToView(this ReplicaRecord r, DateTime now) => new(
        r.ReplicaId, r.Version, r.Status.ToString(), LocationText(r.Cloud, r.Region, r.Zone), r.Cloud, r.Region, r.Zone,
        r.IsSpot, r.InstanceType, r.Accelerator, r.InstanceId, r.Endpoint, r.HourlyPrice, CostAccounting.CostOf(r, now), r.NoticeDeadline,
        r.CreatedAt, r.StatusChangedAt, r.ReadyAt, r.NodeCount,
        [new NodeView(0, r.InstanceId, r.Endpoint), .. (r.WorkerNodes ?? []).Select(w => new NodeView(w.Rank, w.InstanceId, w.Endpoint))]);

    public static EventView ToView(this ServiceEventRecord e) => new(e.Id, e.At, e.ReplicaId, e.FromStatus, e.ToStatus, e.Reason);

    private static JsonNode? Secret(JsonNode? spec, bool showEnvs) => SpecSecrets.Redact(spec, showEnvs);

    /// <summary>SkyPilot's infra notation: cloud/region/zone, shortened where parts are unknown.</summary>
    private static string LocationText(string cloud, string region, string zone) =>
        string.Join('/', new[] { cloud, region, zone }.Where(p => p.Length > 0));
}
