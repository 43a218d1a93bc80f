using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class ServiceSectionOnlyDiffersTests
{
    private const string Replica = """
        resources:
          accelerators: L4:1
          use_spot: true
          ports: 8080
          any_of:
            - infra: aws/us-east-1
            - infra: gcp/us-central1
        envs: {MODEL: m}
        run: vllm serve m --port 8080
        """;

    [Fact]
    public void Only_service_changes_keep_the_replicas()
    {
        var before = SpecAssert.Valid("name: a\nservice:\n  replicas: 2\n" + Replica);
        var after = SpecAssert.Valid("name: b\nservice:\n  readiness_probe: /health\n  replica_policy: {min_replicas: 1, max_replicas: 5, target_qps_per_replica: 3}\n" + Replica);
        Assert.True(before.ServiceSectionOnlyDiffers(after));
        Assert.True(after.ServiceSectionOnlyDiffers(before));
        Assert.False(before.IsEquivalentTo(after));
    }

    [Fact]
    public void Identical_specs_count_as_differing_only_in_service()
    {
        var spec = SpecAssert.Valid("service: {}\n" + Replica);
        Assert.True(spec.ServiceSectionOnlyDiffers(SpecAssert.Valid("service: {}\n" + Replica)));
        Assert.True(spec.IsEquivalentTo(SpecAssert.Valid("service: {}\n" + Replica)));
    }

    [Fact]
    public void Any_of_order_does_not_matter()
    {
        var reordered = Replica.Replace("    - infra: aws/us-east-1\n    - infra: gcp/us-central1", "    - infra: gcp/us-central1\n    - infra: aws/us-east-1", StringComparison.Ordinal);
        Assert.NotEqual(Replica, reordered);
        Assert.True(SpecAssert.Valid("service: {}\n" + Replica).ServiceSectionOnlyDiffers(SpecAssert.Valid("service: {}\n" + reordered)));
    }

    [Theory]
    [InlineData("run: vllm serve m --port 8080", "run: vllm serve m2 --port 8080")]
    [InlineData("envs: {MODEL: m}", "envs: {MODEL: m2}")]
    [InlineData("  accelerators: L4:1", "  accelerators: A10G:1")]
    [InlineData("  use_spot: true", "  use_spot: false")]
    [InlineData("    - infra: gcp/us-central1", "    - infra: azure/eastus")]
    public void Changes_outside_service_need_new_replicas(string from, string to)
    {
        var before = SpecAssert.Valid("service: {}\n" + Replica);
        var after = SpecAssert.Valid("service: {}\n" + Replica.Replace(from, to, StringComparison.Ordinal));
        Assert.False(before.ServiceSectionOnlyDiffers(after));
    }

    [Fact]
    public void A_new_replica_port_needs_new_replicas()
    {
        var before = SpecAssert.Valid("service: {}\n" + Replica);
        var after = SpecAssert.Valid("service:\n  ports: 9000\n" + Replica);
        Assert.False(before.ServiceSectionOnlyDiffers(after));
    }
}
