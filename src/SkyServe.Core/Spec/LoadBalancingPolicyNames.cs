namespace SkyServe.Core.Spec;

/// <summary>The spec names of <see cref="LoadBalancingPolicy"/>, as SkyPilot spells them.</summary>
public static class LoadBalancingPolicyNames
{
    public const string RoundRobin = "round_robin";
    public const string LeastLoad = "least_load";
    public const string InstanceAwareLeastLoad = "instance_aware_least_load";

    public static IReadOnlyList<string> All { get; } = [RoundRobin, LeastLoad, InstanceAwareLeastLoad];

    public static string ToSpecName(this LoadBalancingPolicy policy) => policy switch
    {
        LoadBalancingPolicy.RoundRobin => RoundRobin,
        LoadBalancingPolicy.InstanceAwareLeastLoad => InstanceAwareLeastLoad,
        _ => LeastLoad,
    };

    /// <summary>Case-insensitive, as SkyPilot's schema (<c>case_insensitive_enum</c>).</summary>
    public static bool TryParse(string? text, out LoadBalancingPolicy policy)
    {
        policy = LoadBalancingPolicy.LeastLoad;
        switch (text?.Trim().ToLowerInvariant())
        {
            case RoundRobin: policy = LoadBalancingPolicy.RoundRobin; return true;
            case LeastLoad: return true;
            case InstanceAwareLeastLoad: policy = LoadBalancingPolicy.InstanceAwareLeastLoad; return true;
            default: return false;
        }
    }
}
