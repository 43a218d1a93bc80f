using System.Collections.ObjectModel;

namespace SkyServe.Core.Spec;

/// <summary>
/// <c>target_qps_per_replica</c>: either one number for every replica (<see cref="Uniform"/>) or a target per
/// accelerator type such as <c>{A100: 8, L4: 2}</c> (<see cref="PerAccelerator"/>, used by
/// <c>instance_aware_least_load</c>). Exactly one of the two is set.
/// </summary>
public sealed record TargetQps
{
    private TargetQps(double? uniform, IReadOnlyDictionary<string, double>? perAccelerator)
    {
        Uniform = uniform;
        PerAccelerator = perAccelerator;
    }

    public double? Uniform { get; }

    /// <summary>Keys as written in the spec (SkyPilot's pattern: <c>A100</c> or <c>H100:1</c>).</summary>
    public IReadOnlyDictionary<string, double>? PerAccelerator { get; }

    public bool IsPerAccelerator => PerAccelerator is not null;

    public static TargetQps Of(double qpsPerReplica) => new(qpsPerReplica, null);

    public static TargetQps ForAccelerators(IEnumerable<KeyValuePair<string, double>> qpsPerAccelerator) =>
        new(null, new ReadOnlyDictionary<string, double>(
            new Dictionary<string, double>(qpsPerAccelerator, StringComparer.Ordinal)));

    /// <summary>
    /// The target for a replica with the given accelerator: the uniform target, or the per-accelerator one
    /// matched by exact key, then by name without the count (<c>A100</c> for <c>A100:1</c>), case-insensitively.
    /// </summary>
    public double? For(string? acceleratorName)
    {
        if (Uniform is { } uniform)
            return uniform;
        if (PerAccelerator is null || acceleratorName is null)
            return null;
        if (PerAccelerator.TryGetValue(acceleratorName, out var exact))
            return exact;
        foreach (var (key, value) in PerAccelerator)
        {
            var name = key.Split(':')[0];
            if (string.Equals(name, acceleratorName, StringComparison.OrdinalIgnoreCase))
                return value;
        }
        return null;
    }
}
