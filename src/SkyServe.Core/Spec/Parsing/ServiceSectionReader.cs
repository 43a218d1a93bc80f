using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// Reads the <c>service:</c> section and checks the rules that involve only it: <c>replicas</c> and
/// <c>replica_policy</c> are exclusive, and the map form of target_qps_per_replica goes with
/// <c>instance_aware_least_load</c> and only with it.
/// </summary>
internal sealed class ServiceSectionReader(SpecReadContext context)
{
    public static readonly SpecKeys Keys = new(
        ["readiness_probe", "replica_policy", "replicas", "load_balancing_policy", "ports", "tls"],
        new Dictionary<string, string>
        {
            ["pool"] = "cluster pools are not part of this serving system",
            ["workers"] = "cluster pools are not part of this serving system; use replicas",
            ["load_balancer"] = "load balancer timeouts are a deployment setting here",
        });

    public static readonly SpecKeys TlsKeys = new(["keyfile", "certfile"]);

    public ServiceSection? Read(MappingReader top)
    {
        const string path = "service";
        if (!top.Contains("service"))
        {
            context.Error(path, top.Node, "a service: section is required (it says how to probe, scale and balance the replicas)");
            return null;
        }
        var node = top.Value("service");
        if (node is not YamlMappingNode mapping)
        {
            context.Error(path, node ?? top.KeyNode("service")!, $"expected the service: section to be a mapping, got {(node is null ? "null" : YamlScalars.Describe(node))}");
            return null;
        }

        var service = new MappingReader(context, mapping, path, Keys);
        var probe = new ReadinessProbeReader(context).Read(service.Value("readiness_probe"), service.PathOf("readiness_probe"));
        var (policy, fixedReplicas) = ReadReplicas(service);
        var policyName = service.OneOf("load_balancing_policy", LoadBalancingPolicyNames.All);
        LoadBalancingPolicyNames.TryParse(policyName, out var loadBalancing);
        var section = new ServiceSection
        {
            ReadinessProbe = probe,
            ReplicaPolicy = policy,
            FixedReplicas = fixedReplicas,
            LoadBalancingPolicy = policyName is null ? SpecDefaults.LoadBalancing : loadBalancing,
            Ports = service.Integer("ports", minimum: SpecLimits.MinPort, maximum: SpecLimits.MaxPort),
            Tls = ReadTls(service),
        };
        if (!context.HasErrorsUnder(path))
            CheckInstanceAwareRule(service, section);
        return section;
    }

    private (ReplicaPolicySpec Policy, bool Fixed) ReadReplicas(MappingReader service)
    {
        if (service.Contains("replicas") && service.Contains("replica_policy"))
            context.Error(service.PathOf("replicas"), service.KeyNode("replicas")!,
                "replicas and replica_policy cannot both be set; use replicas: N for a fixed size or replica_policy to autoscale");

        if (service.Value("replicas") is not null)
        {
            var replicas = service.Integer("replicas", maximum: SpecLimits.MaxReplicas);
            return (new ReplicaPolicySpec { MinReplicas = replicas ?? SpecDefaults.MinReplicas, MaxReplicas = replicas ?? SpecDefaults.MinReplicas }, true);
        }
        var policy = service.Mapping("replica_policy", ReplicaPolicyReader.Keys);
        return (policy is null ? ReplicaPolicySpec.Default : new ReplicaPolicyReader(context).Read(policy), false);
    }

    private TlsSpec? ReadTls(MappingReader service)
    {
        var tls = service.Mapping("tls", TlsKeys);
        if (tls is null)
            return null;
        tls.Require("keyfile");
        tls.Require("certfile");
        var keyFile = tls.Text("keyfile");
        var certFile = tls.Text("certfile");
        return keyFile is null || certFile is null ? null : new TlsSpec(keyFile, certFile);
    }

    private void CheckInstanceAwareRule(MappingReader service, ServiceSection section)
    {
        var perAccelerator = section.ReplicaPolicy.TargetQpsPerReplica?.IsPerAccelerator == true;
        var instanceAware = section.LoadBalancingPolicy == LoadBalancingPolicy.InstanceAwareLeastLoad;
        if (perAccelerator && !instanceAware)
            context.Error("service.replica_policy.target_qps_per_replica",
                $"a per-accelerator target_qps_per_replica requires load_balancing_policy: {LoadBalancingPolicyNames.InstanceAwareLeastLoad}");
        if (instanceAware && !perAccelerator)
            context.Error(service.PathOf("load_balancing_policy"),
                $"load_balancing_policy: {LoadBalancingPolicyNames.InstanceAwareLeastLoad} requires target_qps_per_replica to map accelerator types to QPS, e.g. {{A100: 8, L4: 2}}");
    }
}
