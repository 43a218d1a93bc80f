namespace SkyServe.Core.Simulation;

/// <summary>The policies <c>skyserve sim</c> compares.</summary>
public enum SimPolicy
{
    /// <summary><c>ondemand</c>: N_tar on-demand replicas, nothing else.</summary>
    OnDemand,
    /// <summary><c>even_spread</c>: N_tar spot replicas topped up level by level over the zones, blind to capacity; no on-demand.</summary>
    EvenSpread,
    /// <summary><c>round_robin</c>: N_tar spot replicas, each missing one to the next zone of a persistent cursor; no on-demand.</summary>
    RoundRobin,
    /// <summary><c>spothedge</c>: the controller's SpotHedge (<c>spot_placer: dynamic_fallback</c>) through <see cref="Policies.ServicePlanner"/>.</summary>
    SpotHedge,
    /// <summary><c>optimal</c>: the omniscient optimum, an integer program over the whole trace solved exactly by CBC.</summary>
    Optimal,
    /// <summary><c>hedge_plus</c>: this project's placer (<c>spot_placer: hedge_plus</c>) through <see cref="Policies.ServicePlanner"/>.</summary>
    HedgePlus,
}

/// <summary>The command-line names of <see cref="SimPolicy"/>.</summary>
public static class SimPolicyNames
{
    public static IReadOnlyList<SimPolicy> All { get; } =
        [SimPolicy.OnDemand, SimPolicy.EvenSpread, SimPolicy.RoundRobin, SimPolicy.SpotHedge, SimPolicy.Optimal, SimPolicy.HedgePlus];

    public static string Name(SimPolicy policy) => policy switch
    {
        SimPolicy.OnDemand => "ondemand",
        SimPolicy.EvenSpread => "even_spread",
        SimPolicy.RoundRobin => "round_robin",
        SimPolicy.SpotHedge => "spothedge",
        SimPolicy.Optimal => "optimal",
        SimPolicy.HedgePlus => "hedge_plus",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, null),
    };

    public static bool TryParse(string name, out SimPolicy policy)
    {
        foreach (var candidate in All)
            if (string.Equals(Name(candidate), name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                policy = candidate;
                return true;
            }
        policy = default;
        return false;
    }

    /// <summary>A comma-separated list; throws <see cref="ArgumentException"/> naming the unknown ones and the allowed names.</summary>
    public static IReadOnlyList<SimPolicy> ParseList(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
            throw new ArgumentException($"no policy given (allowed: {string.Join(", ", All.Select(Name))})");
        var unknown = names.Where(name => !TryParse(name, out _)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"unknown polic{(unknown.Count == 1 ? "y" : "ies")} {string.Join(", ", unknown.Select(n => $"'{n}'"))} (allowed: {string.Join(", ", All.Select(Name))})");
        return names.Select(name => { TryParse(name, out var policy); return policy; }).Distinct().ToList();
    }
}
