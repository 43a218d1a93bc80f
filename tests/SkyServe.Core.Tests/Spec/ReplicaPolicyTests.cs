using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class ReplicaPolicyTests
{
    private static string WithPolicy(string policyLines, string resources = "  ports: 8080\n") =>
        "service:\n  replica_policy:\n" + policyLines + "resources:\n" + resources;

    [Fact]
    public void Reads_every_key()
    {
        var policy = SpecAssert.Valid(WithPolicy("""
                min_replicas: 2
                max_replicas: 6
                target_qps_per_replica: 2.5
                upscale_delay_seconds: 60
                downscale_delay_seconds: 600
                num_overprovision: 1
                base_ondemand_fallback_replicas: 1
                dynamic_ondemand_fallback: true
                spot_placer: dynamic_fallback

            """, "  ports: 8080\n  use_spot: true\n")).Service.ReplicaPolicy;
        Assert.Equal(2, policy.MinReplicas);
        Assert.Equal(6, policy.MaxReplicas);
        Assert.Equal(2.5, policy.TargetQpsPerReplica!.Uniform);
        Assert.False(policy.TargetQpsPerReplica.IsPerAccelerator);
        Assert.Equal(60, policy.UpscaleDelaySeconds);
        Assert.Equal(600, policy.DownscaleDelaySeconds);
        Assert.Equal(1, policy.NumOverprovision);
        Assert.Equal(1, policy.BaseOndemandFallbackReplicas);
        Assert.True(policy.DynamicOndemandFallback);
        Assert.Equal(SpotPlacer.DynamicFallback, policy.SpotPlacer);
        Assert.True(policy.AutoscalingEnabled);
        Assert.True(policy.UsesOndemandFallback);
    }

    [Fact]
    public void Replicas_short_form_fixes_min_and_max()
    {
        var service = SpecAssert.Valid("service:\n  replicas: 3\nresources:\n  ports: 8080\n").Service;
        Assert.True(service.FixedReplicas);
        Assert.Equal(3, service.ReplicaPolicy.MinReplicas);
        Assert.Equal(3, service.ReplicaPolicy.MaxReplicas);
        Assert.Null(service.ReplicaPolicy.TargetQpsPerReplica);
        Assert.Equal(300, service.ReplicaPolicy.UpscaleDelaySeconds);
    }

    [Fact]
    public void Max_replicas_defaults_to_min_replicas()
    {
        var policy = SpecAssert.Valid(WithPolicy("    min_replicas: 4\n")).Service.ReplicaPolicy;
        Assert.Equal(4, policy.MaxReplicas);
    }

    [Fact]
    public void Min_replicas_zero_scales_to_zero()
    {
        var policy = SpecAssert.Valid(WithPolicy("    min_replicas: 0\n    max_replicas: 2\n    target_qps_per_replica: 1\n")).Service.ReplicaPolicy;
        Assert.Equal(0, policy.MinReplicas);
        Assert.Equal(2, policy.MaxReplicas);
    }

    [Fact]
    public void Replicas_and_replica_policy_are_exclusive()
    {
        SpecAssert.HasError("""
            service:
              replicas: 2
              replica_policy:
                min_replicas: 1
            resources:
              ports: 8080
            """, "service.replicas", 2, 3, "replicas and replica_policy cannot both be set");
    }

    [Fact]
    public void Max_replicas_below_min_replicas_is_an_error()
    {
        var error = SpecAssert.HasError(WithPolicy("    min_replicas: 3\n    max_replicas: 1\n    target_qps_per_replica: 1\n"),
            "service.replica_policy.max_replicas", 4, 19, "max_replicas must be >= min_replicas");
        Assert.Equal("service.replica_policy.max_replicas (line 4, column 19): max_replicas must be >= min_replicas", error.ToString());
    }

    [Fact]
    public void Target_qps_requires_max_replicas()
    {
        SpecAssert.HasError(WithPolicy("    min_replicas: 1\n    target_qps_per_replica: 5\n"),
            "service.replica_policy.target_qps_per_replica", 4, 29, "max_replicas must be set when target_qps_per_replica is set");
    }

    [Fact]
    public void Max_above_min_requires_target_qps()
    {
        SpecAssert.HasError(WithPolicy("    min_replicas: 1\n    max_replicas: 3\n"),
            "service.replica_policy.max_replicas", 4, 19, "target_qps_per_replica is not set");
    }

    [Fact]
    public void Max_equal_to_min_without_target_qps_is_fine()
    {
        var policy = SpecAssert.Valid(WithPolicy("    min_replicas: 2\n    max_replicas: 2\n")).Service.ReplicaPolicy;
        Assert.Equal(2, policy.MaxReplicas);
    }

    [Fact]
    public void Min_replicas_is_required()
    {
        SpecAssert.HasError(WithPolicy("    max_replicas: 2\n"), "service.replica_policy.min_replicas", 3, 5, "missing required key 'min_replicas'");
    }

    [Theory]
    [InlineData("min_replicas", "-1", "min_replicas must be between 0 and 1000, got -1")]
    [InlineData("num_overprovision", "-2", "num_overprovision must be between 0 and 100, got -2")]
    [InlineData("base_ondemand_fallback_replicas", "-1", "base_ondemand_fallback_replicas must be between 0 and 1000, got -1")]
    [InlineData("upscale_delay_seconds", "-10", "upscale_delay_seconds must be between 0 and 604800, got -10")]
    [InlineData("downscale_delay_seconds", "abc", "expected an integer, got 'abc'")]
    [InlineData("min_replicas", "1.5", "expected an integer, got '1.5'")]
    [InlineData("min_replicas", "\"2\"", "expected an integer, got '2' (quoted, so it is a string: remove the quotes)")]
    [InlineData("min_replicas", "99999999999", "min_replicas is out of range, got '99999999999'")]
    [InlineData("dynamic_ondemand_fallback", "maybe", "expected true or false, got 'maybe'")]
    [InlineData("spot_placer", "random", "unknown spot_placer 'random' (allowed: dynamic_fallback, hedge_plus)")]
    [InlineData("target_qps_per_replica", "0", "target_qps_per_replica must be between 0.001 and 1000000, got 0")]
    [InlineData("target_qps_per_replica", "[1, 2]", "expected a number or a mapping of accelerator to QPS")]
    public void Bad_values_name_the_key_line_and_column(string key, string value, string message)
    {
        var yaml = "service:\n  replica_policy:\n    " + key + ": " + value + "\n" + (key == "min_replicas" ? "" : "    min_replicas: 1\n") + "resources:\n  ports: 8080\n";
        SpecAssert.HasError(yaml, "service.replica_policy." + key, 3, 5 + key.Length + 2, message);
    }

    [Theory]
    [InlineData("hedge_plus", SpotPlacer.HedgePlus)]
    [InlineData("Dynamic_Fallback", SpotPlacer.DynamicFallback)]
    public void Spot_placer_names_are_case_insensitive(string name, SpotPlacer expected)
    {
        var policy = SpecAssert.Valid(WithPolicy($"    min_replicas: 1\n    spot_placer: {name}\n", "  ports: 8080\n  use_spot: true\n")).Service.ReplicaPolicy;
        Assert.Equal(expected, policy.SpotPlacer);
    }

    [Fact]
    public void Pyyaml_booleans_are_accepted()
    {
        var policy = SpecAssert.Valid(WithPolicy("    min_replicas: 1\n    dynamic_ondemand_fallback: yes\n", "  ports: 8080\n  use_spot: True\n")).Service.ReplicaPolicy;
        Assert.True(policy.DynamicOndemandFallback);
    }

    [Fact]
    public void Several_errors_are_reported_together()
    {
        var errors = SpecAssert.Invalid(WithPolicy("    min_replicas: x\n    max_replicas: y\n    num_overprovision: -1\n"));
        Assert.Equal(
            ["service.replica_policy.min_replicas", "service.replica_policy.max_replicas", "service.replica_policy.num_overprovision"],
            errors.Select(error => error.Path));
        Assert.Equal([3, 4, 5], errors.Select(error => error.Line));
    }
}
