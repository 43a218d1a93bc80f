using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

/// <summary>
/// The upper bounds of <see cref="SpecLimits"/> (a value at the bound parses, one above it is refused with the key
/// path, line and column), plain-decimal integers, and a model path that must be text.
/// </summary>
public sealed class BoundsTests
{
    /// <summary>Every bounded replica_policy key on its own line (3 to 9), valid as it stands.</summary>
    private static string Policy(string key, string value)
    {
        var values = new Dictionary<string, string>
        {
            ["min_replicas"] = "1",
            ["max_replicas"] = "1000",
            ["target_qps_per_replica"] = "2",
            ["upscale_delay_seconds"] = "300",
            ["downscale_delay_seconds"] = "1200",
            ["num_overprovision"] = "1",
            ["base_ondemand_fallback_replicas"] = "1",
        };
        values[key] = value;
        return "service:\n  replica_policy:\n"
            + string.Concat(values.Select(entry => $"    {entry.Key}: {entry.Value}\n"))
            + "resources:\n  ports: 8080\n  use_spot: true\n";
    }

    private static int PolicyLine(string key) =>
        3 + new[] { "min_replicas", "max_replicas", "target_qps_per_replica", "upscale_delay_seconds", "downscale_delay_seconds", "num_overprovision", "base_ondemand_fallback_replicas" }
            .ToList().IndexOf(key);

    [Theory]
    [InlineData("min_replicas", SpecLimits.MaxReplicas)]
    [InlineData("max_replicas", SpecLimits.MaxReplicas)]
    [InlineData("num_overprovision", SpecLimits.MaxOverprovision)]
    [InlineData("base_ondemand_fallback_replicas", SpecLimits.MaxReplicas)]
    [InlineData("upscale_delay_seconds", SpecLimits.MaxScaleDelaySeconds)]
    [InlineData("downscale_delay_seconds", SpecLimits.MaxScaleDelaySeconds)]
    public void Replica_policy_integers_are_accepted_at_the_bound_and_refused_above(string key, int bound)
    {
        SpecAssert.Valid(Policy(key, bound.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var above = (bound + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        SpecAssert.HasError(Policy(key, above), "service.replica_policy." + key, PolicyLine(key), 5 + key.Length + 2,
            $"{key} must be between 0 and {bound}, got {above}");
    }

    [Fact]
    public void The_issue_s_values_are_refused()
    {
        SpecAssert.HasError(Policy("num_overprovision", "1000000"), "service.replica_policy.num_overprovision", 8, 24,
            "num_overprovision must be between 0 and 100, got 1000000");
        SpecAssert.HasError(Policy("max_replicas", "2147483647"), "service.replica_policy.max_replicas", 4, 19,
            "max_replicas must be between 0 and 1000, got 2147483647");
        SpecAssert.HasError(Policy("target_qps_per_replica", "1e-320"), "service.replica_policy.target_qps_per_replica", 5, 29,
            "target_qps_per_replica must be between 0.001 and 1000000, got 1e-320");
    }

    [Fact]
    public void Fixed_replicas_are_bounded()
    {
        Assert.Equal(1000, SpecAssert.Valid("service:\n  replicas: 1000\nresources:\n  ports: 8080\n").Service.ReplicaPolicy.MaxReplicas);
        SpecAssert.HasError("service:\n  replicas: 1001\nresources:\n  ports: 8080\n", "service.replicas", 2, 13,
            "replicas must be between 0 and 1000, got 1001");
    }

    [Theory]
    [InlineData("0.001", true)]
    [InlineData("1000000", true)]
    [InlineData("1e6", true)]
    [InlineData("0.0009", false)]
    [InlineData("1000000.5", false)]
    [InlineData("1e-320", false)]
    public void Target_qps_is_between_a_thousandth_and_a_million(string value, bool valid)
    {
        var yaml = Policy("target_qps_per_replica", value);
        if (valid)
            SpecAssert.Valid(yaml);
        else
            SpecAssert.HasError(yaml, "service.replica_policy.target_qps_per_replica", 5, 29,
                $"target_qps_per_replica must be between 0.001 and 1000000, got {value}");
    }

    [Theory]
    [InlineData("1000000", true)]
    [InlineData("0.001", true)]
    [InlineData("1e-320", false)]
    [InlineData("2000000", false)]
    public void Per_accelerator_qps_targets_are_bounded_too(string value, bool valid)
    {
        var yaml = $"""
            service:
              replica_policy:
                min_replicas: 1
                max_replicas: 4
                target_qps_per_replica:
                  A100: 8
                  L4: {value}
              load_balancing_policy: instance_aware_least_load
              ports: 8080
            """;
        if (valid)
            SpecAssert.Valid(yaml);
        else
            SpecAssert.HasError(yaml, "service.replica_policy.target_qps_per_replica.L4", 7, 11,
                $"L4 must be between 0.001 and 1000000, got {value}");
    }

    [Theory]
    [InlineData("initial_delay_seconds", SpecLimits.MaxInitialDelaySeconds, 0)]
    [InlineData("timeout_seconds", SpecLimits.MaxReadinessTimeoutSeconds, 1)]
    public void Readiness_probe_delays_are_bounded(string key, int bound, int minimum)
    {
        string Probe(int value) => $"service:\n  readiness_probe:\n    path: /\n    {key}: {value}\n  ports: 8080\n";
        SpecAssert.Valid(Probe(bound));
        SpecAssert.HasError(Probe(bound + 1), "service.readiness_probe." + key, 4, 5 + key.Length + 2,
            $"{key} must be between {minimum} and {bound}, got {bound + 1}");
    }

    [Theory]
    [InlineData("service:\n  ports: 65535\n", null)]
    [InlineData("service:\n  ports: 65536\n", "ports must be between 1 and 65535, got 65536")]
    [InlineData("service: {}\nresources:\n  ports: 65535\n", null)]
    [InlineData("service: {}\nresources:\n  ports: 65536\n", "expected a port from 1 to 65535")]
    public void Ports_are_1_to_65535(string yaml, string? error)
    {
        if (error is null)
            SpecAssert.Valid(yaml);
        else
            Assert.Contains(SpecAssert.Invalid(yaml), found => found.Message.Contains(error, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0x10")]
    [InlineData("0o17")]
    [InlineData("017")]
    [InlineData("0b11")]
    [InlineData("1_000")]
    [InlineData("+5")]
    [InlineData("-0x1")]
    public void Integers_are_plain_decimal(string value)
    {
        SpecAssert.HasError($"service:\n  replicas: {value}\nresources:\n  ports: 8080\n", "service.replicas", 2, 13,
            $"replicas must be a whole number written in decimal, got '{value}'");
        SpecAssert.HasError(Policy("min_replicas", value), "service.replica_policy.min_replicas", 3, 19,
            $"min_replicas must be a whole number written in decimal, got '{value}'");
    }

    [Theory]
    [InlineData("0x10")]
    [InlineData("1_000")]
    [InlineData("+5")]
    public void Qps_targets_are_decimal_too(string value)
    {
        SpecAssert.HasError(Policy("target_qps_per_replica", value), "service.replica_policy.target_qps_per_replica", 5, 29,
            $"target_qps_per_replica must be a number written in decimal, got '{value}'");
    }

    [Fact]
    public void Accelerator_counts_are_decimal()
    {
        SpecAssert.HasError("service:\n  ports: 8080\nresources:\n  accelerators: A100:0x2\n", "resources.accelerators", 4, 17,
            "the count of accelerator 'A100' must be a whole number from 1 to 1024, got '0x2'");
    }

    [Theory]
    [InlineData("model: 123\n", "model", 2, 8, "got the number 123")]
    [InlineData("model: 1.5e3\n", "model", 2, 8, "got the number 1.5e3")]
    [InlineData("model: 0x10\n", "model", 2, 8, "got the number 0x10")]
    [InlineData("model: true\n", "model", 2, 8, "got the boolean true")]
    [InlineData("model:\n  path: 42\n", "model.path", 3, 9, "got the number 42 (quote it if it is a name: \"42\")")]
    public void A_model_path_is_text(string lines, string path, int line, int column, string message)
    {
        SpecAssert.HasError("service: {}\n" + lines, path, line, column, message);
    }

    [Fact]
    public void A_quoted_number_is_a_model_name()
    {
        Assert.Equal("123", SpecAssert.Valid("service: {}\nmodel: \"123\"\n").Model!.Path);
        Assert.Equal("42", SpecAssert.Valid("service: {}\nmodel:\n  path: '42'\n").Model!.Path);
    }
}
