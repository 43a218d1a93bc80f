using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class DefaultsTests
{
    private readonly ServiceSpec spec = SpecAssert.Valid(SpecAssert.Minimal);

    [Fact]
    public void Readiness_probe_defaults_are_SkyPilots()
    {
        var probe = spec.Service.ReadinessProbe;
        Assert.Equal("/", probe.Path);
        Assert.Equal(1200, probe.InitialDelaySeconds);
        Assert.Equal(15, probe.TimeoutSeconds);
        Assert.Null(probe.PostData);
        Assert.Empty(probe.Headers);
        Assert.Equal("GET", probe.HttpMethod);
    }

    [Fact]
    public void Replica_policy_defaults_to_one_fixed_replica()
    {
        var policy = spec.Service.ReplicaPolicy;
        Assert.Equal(1, policy.MinReplicas);
        Assert.Equal(1, policy.MaxReplicas);
        Assert.Null(policy.TargetQpsPerReplica);
        Assert.False(policy.AutoscalingEnabled);
        Assert.False(spec.Service.FixedReplicas);
    }

    [Fact]
    public void Scaling_delays_default_to_300_up_and_1200_down()
    {
        Assert.Equal(300, spec.Service.ReplicaPolicy.UpscaleDelaySeconds);
        Assert.Equal(1200, spec.Service.ReplicaPolicy.DownscaleDelaySeconds);
    }

    [Fact]
    public void Spot_options_default_to_off()
    {
        var policy = spec.Service.ReplicaPolicy;
        Assert.Equal(0, policy.NumOverprovision);
        Assert.Equal(0, policy.BaseOndemandFallbackReplicas);
        Assert.False(policy.DynamicOndemandFallback);
        Assert.False(policy.UsesOndemandFallback);
        Assert.Null(policy.SpotPlacer);
    }

    [Fact]
    public void Service_defaults()
    {
        Assert.Equal(LoadBalancingPolicy.LeastLoad, spec.Service.LoadBalancingPolicy);
        Assert.Null(spec.Service.Ports);
        Assert.Null(spec.Service.Tls);
        Assert.Equal(8080, spec.ReplicaPort);
    }

    [Fact]
    public void Resources_defaults()
    {
        var resources = spec.Resources;
        Assert.Empty(resources.Accelerators);
        Assert.False(resources.AcceleratorsOrdered);
        Assert.False(resources.UseSpot);
        Assert.False(spec.UsesSpot);
        Assert.Empty(resources.Locations);
        Assert.False(resources.LocationsOrdered);
        Assert.Equal(256, resources.DiskSizeGb);
        Assert.Null(resources.DiskTier);
        Assert.Null(resources.InstanceType);
        Assert.Null(resources.Cpus);
        Assert.Null(resources.Memory);
        Assert.Null(resources.ImageId);
        Assert.Empty(resources.Labels);
    }

    [Fact]
    public void Top_level_defaults()
    {
        Assert.Null(spec.Name);
        Assert.Empty(spec.Envs);
        Assert.Null(spec.Setup);
        Assert.Null(spec.Run);
        Assert.Null(spec.Model);
        Assert.False(spec.UsesBuiltInEngine);
    }

    [Fact]
    public void Null_values_mean_the_default_as_in_SkyPilot()
    {
        var parsed = SpecAssert.Valid("""
            name:
            service:
              readiness_probe:
                path: /ready
                post_data: null
                initial_delay_seconds: ~
              replica_policy:
                min_replicas: 2
                max_replicas:
              load_balancing_policy:
            resources:
              ports: 8080
              use_spot:
            envs:
            """);
        Assert.Null(parsed.Name);
        Assert.Null(parsed.Service.ReadinessProbe.PostData);
        Assert.Equal(1200, parsed.Service.ReadinessProbe.InitialDelaySeconds);
        Assert.Equal(2, parsed.Service.ReplicaPolicy.MaxReplicas);
        Assert.Equal(LoadBalancingPolicy.LeastLoad, parsed.Service.LoadBalancingPolicy);
        Assert.False(parsed.UsesSpot);
        Assert.Empty(parsed.Envs);
    }

    [Fact]
    public void An_empty_service_mapping_takes_every_default()
    {
        var parsed = SpecAssert.Valid("service: {}\nresources: {ports: 8080}\n");
        Assert.Equal(ServiceSection.Default with { }, parsed.Service with { });
        Assert.Equal("/", parsed.Service.ReadinessProbe.Path);
    }
}
