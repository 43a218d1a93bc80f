using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// Reads <c>service.replica_policy</c> and checks SkyPilot's rules among its keys: max_replicas &gt;= min_replicas,
/// max_replicas is required with target_qps_per_replica, and differs from min_replicas only with it.
/// </summary>
internal sealed class ReplicaPolicyReader(SpecReadContext context)
{
    public static readonly SpecKeys Keys = new(
        [
            "min_replicas", "max_replicas", "target_qps_per_replica", "upscale_delay_seconds", "downscale_delay_seconds",
            "num_overprovision", "base_ondemand_fallback_replicas", "dynamic_ondemand_fallback", "spot_placer",
        ],
        new Dictionary<string, string>
        {
            ["target_concurrency_per_replica"] = "autoscaling here follows QPS; use target_qps_per_replica",
        });

    public ReplicaPolicySpec Read(MappingReader policy)
    {
        policy.Require("min_replicas");
        var minReplicas = policy.Integer("min_replicas", maximum: SpecLimits.MaxReplicas);
        var maxReplicas = policy.Integer("max_replicas", maximum: SpecLimits.MaxReplicas);
        var targetQps = ReadTargetQps(policy.Value("target_qps_per_replica"), policy.PathOf("target_qps_per_replica"));
        var placerName = policy.OneOf("spot_placer", SpotPlacerNames.All);
        SpotPlacer? placer = SpotPlacerNames.TryParse(placerName, out var parsed) && placerName is not null ? parsed : null;

        var result = new ReplicaPolicySpec
        {
            MinReplicas = minReplicas ?? SpecDefaults.MinReplicas,
            MaxReplicas = maxReplicas ?? minReplicas ?? SpecDefaults.MinReplicas,
            TargetQpsPerReplica = targetQps,
            UpscaleDelaySeconds = policy.Integer("upscale_delay_seconds", maximum: SpecLimits.MaxScaleDelaySeconds) ?? SpecDefaults.UpscaleDelaySeconds,
            DownscaleDelaySeconds = policy.Integer("downscale_delay_seconds", maximum: SpecLimits.MaxScaleDelaySeconds) ?? SpecDefaults.DownscaleDelaySeconds,
            NumOverprovision = policy.Integer("num_overprovision", maximum: SpecLimits.MaxOverprovision) ?? SpecDefaults.NumOverprovision,
            BaseOndemandFallbackReplicas = policy.Integer("base_ondemand_fallback_replicas", maximum: SpecLimits.MaxReplicas) ?? SpecDefaults.BaseOndemandFallbackReplicas,
            DynamicOndemandFallback = policy.Boolean("dynamic_ondemand_fallback") ?? SpecDefaults.DynamicOndemandFallback,
            SpotPlacer = placer,
        };

        if (!context.HasErrorsUnder(policy.Path))
            CheckReplicaCounts(policy, result, maxReplicasGiven: maxReplicas is not null);
        return result;
    }

    private void CheckReplicaCounts(MappingReader policy, ReplicaPolicySpec result, bool maxReplicasGiven)
    {
        var maxPath = policy.PathOf("max_replicas");
        if (result.MaxReplicas < result.MinReplicas)
            context.Error(maxPath, "max_replicas must be >= min_replicas");
        if (result.TargetQpsPerReplica is not null && !maxReplicasGiven)
            context.Error(policy.PathOf("target_qps_per_replica"), "max_replicas must be set when target_qps_per_replica is set");
        if (result.TargetQpsPerReplica is null && result.MaxReplicas > result.MinReplicas)
            context.Error(maxPath,
                "max_replicas differs from min_replicas but target_qps_per_replica is not set; set target_qps_per_replica to enable autoscaling");
    }

    /// <summary>A number within <see cref="SpecLimits"/>' QPS bounds, or a mapping of accelerator type (SkyPilot's pattern) to one.</summary>
    private TargetQps? ReadTargetQps(YamlNode? node, string path)
    {
        if (node is null)
            return null;
        var scalars = new ScalarReader(context);
        if (node is YamlScalarNode)
            return scalars.Number(node, path, SpecLimits.MinTargetQpsPerReplica, SpecLimits.MaxTargetQpsPerReplica) is { } uniform ? TargetQps.Of(uniform) : null;
        if (node is not YamlMappingNode mapping)
        {
            context.Error(path, node, $"expected a number or a mapping of accelerator to QPS such as {{A100: 8, L4: 2}}, got {YamlScalars.Describe(node)}");
            return null;
        }
        context.Remember(path, node);
        var targets = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } accelerator } || !SpecPatterns.QpsAcceleratorKey().IsMatch(accelerator))
            {
                context.Error(path, keyNode, $"invalid accelerator {YamlScalars.Describe(keyNode)}: write it in capitals as A100 or H100:1");
                continue;
            }
            var entryPath = SpecPath.Child(path, accelerator);
            if (YamlScalars.IsNull(valueNode))
                context.Error(entryPath, keyNode, $"no QPS target given for '{accelerator}'");
            else if (scalars.Number(valueNode, entryPath, SpecLimits.MinTargetQpsPerReplica, SpecLimits.MaxTargetQpsPerReplica) is { } qps)
                targets[accelerator] = qps;
        }
        if (mapping.Children.Count == 0)
            context.Error(path, node, "the per-accelerator target_qps_per_replica mapping is empty");
        return targets.Count == 0 ? null : TargetQps.ForAccelerators(targets);
    }
}
