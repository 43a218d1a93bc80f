using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class LoadBalancingTests
{
    [Theory]
    [InlineData("round_robin", LoadBalancingPolicy.RoundRobin)]
    [InlineData("least_load", LoadBalancingPolicy.LeastLoad)]
    [InlineData("LEAST_LOAD", LoadBalancingPolicy.LeastLoad)]
    public void Reads_the_policy(string name, LoadBalancingPolicy expected)
    {
        var spec = SpecAssert.Valid($"service:\n  load_balancing_policy: {name}\n  ports: 8080\n");
        Assert.Equal(expected, spec.Service.LoadBalancingPolicy);
    }

    [Fact]
    public void Unknown_policy_lists_the_allowed_ones()
    {
        SpecAssert.HasError("service:\n  load_balancing_policy: fastest\n  ports: 8080\n", "service.load_balancing_policy", 2, 26,
            "unknown load_balancing_policy 'fastest' (allowed: round_robin, least_load, instance_aware_least_load)");
    }

    [Fact]
    public void Per_accelerator_targets_with_instance_aware_policy()
    {
        var spec = SpecAssert.Valid("""
            service:
              replica_policy:
                min_replicas: 1
                max_replicas: 4
                target_qps_per_replica: {A100: 8, "H100:1": 20, L4: 2.5}
              load_balancing_policy: instance_aware_least_load
              ports: 8080
            """);
        var target = spec.Service.ReplicaPolicy.TargetQpsPerReplica!;
        Assert.True(target.IsPerAccelerator);
        Assert.Null(target.Uniform);
        Assert.Equal(8, target.PerAccelerator!["A100"]);
        Assert.Equal(20, target.PerAccelerator["H100:1"]);
        Assert.Equal(2.5, target.For("L4"));
        Assert.Equal(20, target.For("h100"));
        Assert.Null(target.For("T4"));
        Assert.Equal(LoadBalancingPolicy.InstanceAwareLeastLoad, spec.Service.LoadBalancingPolicy);
    }

    [Fact]
    public void Per_accelerator_targets_require_instance_aware_policy()
    {
        SpecAssert.HasError("""
            service:
              replica_policy:
                min_replicas: 1
                max_replicas: 4
                target_qps_per_replica: {A100: 8}
              ports: 8080
            """, "service.replica_policy.target_qps_per_replica", 5, 29, "requires load_balancing_policy: instance_aware_least_load");
    }

    [Fact]
    public void Instance_aware_policy_requires_per_accelerator_targets()
    {
        SpecAssert.HasError("""
            service:
              replica_policy:
                min_replicas: 1
                max_replicas: 4
                target_qps_per_replica: 3
              load_balancing_policy: instance_aware_least_load
              ports: 8080
            """, "service.load_balancing_policy", 6, 26, "requires target_qps_per_replica to map accelerator types to QPS");
    }

    [Fact]
    public void Instance_aware_policy_with_fixed_replicas_is_an_error_as_in_SkyPilot()
    {
        SpecAssert.OnlyError("service:\n  replicas: 2\n  load_balancing_policy: instance_aware_least_load\n  ports: 8080\n",
            "service.load_balancing_policy", "requires target_qps_per_replica");
    }

    [Fact]
    public void Per_accelerator_keys_follow_SkyPilots_pattern_and_values_are_positive()
    {
        var errors = SpecAssert.Invalid("""
            service:
              replica_policy:
                min_replicas: 1
                max_replicas: 4
                target_qps_per_replica:
                  a100: 8
                  L4: -1
              load_balancing_policy: instance_aware_least_load
              ports: 8080
            """);
        Assert.Contains(errors, error => error is { Path: "service.replica_policy.target_qps_per_replica", Line: 6, Column: 7 } && error.Message.Contains("invalid accelerator 'a100'"));
        Assert.Contains(errors, error => error is { Path: "service.replica_policy.target_qps_per_replica.L4", Line: 7, Column: 11 } && error.Message == "L4 must be between 0.001 and 1000000, got -1");
    }

    [Fact]
    public void Uniform_target_applies_to_every_accelerator()
    {
        Assert.Equal(4, TargetQps.Of(4).For("A100"));
        Assert.Equal(4, TargetQps.Of(4).For(null));
    }
}
