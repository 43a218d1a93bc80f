using System.Globalization;

namespace SkyServe.Bench.Scale;

/// <summary>One service of the fleet: a fixed size (min = max replicas), on demand or SpotHedge spot.</summary>
public sealed class FleetService(string name, int index, int replicas, bool spot)
{
    public string Name { get; } = name;
    public int Index { get; } = index;
    public int Replicas { get; set; } = replicas;
    public bool Spot { get; } = spot;
}

/// <summary>
/// The services the benchmark creates. Service i (0-based) is spot when i is odd (half the fleet), and has a replica
/// count drawn from 1-10 by a generator seeded with (seed, i), so that a size's fleet is the same in every run and
/// every larger size extends the smaller one. Spot services use SkyPilot's SpotHedge settings (spot_placer
/// dynamic_fallback, dynamic_ondemand_fallback, num_overprovision from --overprovision, 0 by default as in SkyPilot);
/// on-demand ones `replicas: N`. Both can go to either region (any_of), T4 machines, probe GET /ready.
/// </summary>
public sealed class Fleet(int seed, int overprovision)
{
    private readonly List<FleetService> services = [];
    private int renamed;

    public IReadOnlyList<FleetService> Services => services;

    public int Overprovision => overprovision;

    public int TotalReplicas => services.Sum(Expected);

    /// <summary>The READY replicas the service should settle at: its size, plus the hedge for spot services.</summary>
    public int Expected(FleetService s) => s.Replicas + (s.Spot ? overprovision : 0);

    public FleetService Add(int? fixedReplicas)
    {
        var index = services.Count;
        var drawn = new Random(unchecked(seed * 1_000_003 + index)).Next(1, 11);
        var service = new FleetService(NameOf(index), index, fixedReplicas ?? drawn, spot: index % 2 == 1);
        services.Add(service);
        return service;
    }

    /// <summary>Replaces a deleted service by a new one of the same shape under a fresh name (the fleet keeps its size).</summary>
    public FleetService Replace(FleetService deleted)
    {
        var replacement = new FleetService($"{NameOf(deleted.Index)}-r{++renamed}", deleted.Index, deleted.Replicas, deleted.Spot);
        services[services.IndexOf(deleted)] = replacement;
        return replacement;
    }

    private static string NameOf(int index) => $"s{index:D5}";

    public string Spec(FleetService s)
    {
        var n = s.Replicas.ToString(CultureInfo.InvariantCulture);
        var policy = s.Spot
            ? $"""
                replica_policy:
                  min_replicas: {n}
                  max_replicas: {n}
                  num_overprovision: {overprovision}
                  dynamic_ondemand_fallback: true
                  spot_placer: dynamic_fallback
              """
            : $"""
                replicas: {n}
              """;
        return $"""
            service:
              readiness_probe:
                path: /ready
                initial_delay_seconds: 60
            {policy}
              load_balancing_policy: least_load
            resources:
              accelerators: T4:1
              use_spot: {(s.Spot ? "true" : "false")}
              any_of:
                - infra: aws/us-east-1
                - infra: aws/us-west-2
              ports: 8080
            """;
    }
}
