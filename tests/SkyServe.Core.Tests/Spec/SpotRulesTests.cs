using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class SpotRulesTests
{
    private static string Spec(string policyLines, string resourceLines) =>
        "service:\n  replica_policy:\n    min_replicas: 1\n" + policyLines + "resources:\n  ports: 8080\n" + resourceLines;

    [Fact]
    public void SpotHedge_options_with_spot_resources_are_valid()
    {
        var spec = SpecAssert.Valid(Spec(
            "    num_overprovision: 1\n    dynamic_ondemand_fallback: true\n    base_ondemand_fallback_replicas: 1\n    spot_placer: dynamic_fallback\n",
            "  use_spot: true\n  any_of:\n    - infra: aws/us-east-1\n    - infra: gcp/us-central1\n"));
        Assert.True(spec.UsesSpot);
        Assert.Equal(SpotPlacer.DynamicFallback, spec.Service.ReplicaPolicy.SpotPlacer);
    }

    [Theory]
    [InlineData("    spot_placer: dynamic_fallback\n", "service.replica_policy.spot_placer", 4, 18, "spot_placer: dynamic_fallback only places spot replicas: set use_spot: true")]
    [InlineData("    spot_placer: hedge_plus\n", "service.replica_policy.spot_placer", 4, 18, "spot_placer: hedge_plus only places spot replicas")]
    [InlineData("    dynamic_ondemand_fallback: true\n", "service.replica_policy.dynamic_ondemand_fallback", 4, 32, "dynamic_ondemand_fallback only applies to spot resources")]
    [InlineData("    base_ondemand_fallback_replicas: 2\n", "service.replica_policy.base_ondemand_fallback_replicas", 4, 38, "base_ondemand_fallback_replicas only applies to spot resources")]
    public void Spot_options_require_use_spot(string policyLines, string path, int line, int column, string message)
    {
        SpecAssert.HasError(Spec(policyLines, ""), path, line, column, message);
        SpecAssert.HasError(Spec(policyLines, "  use_spot: false\n"), path, line, column, message);
    }

    [Fact]
    public void Fallback_options_that_are_off_are_fine_on_demand()
    {
        var spec = SpecAssert.Valid(Spec("    dynamic_ondemand_fallback: false\n    base_ondemand_fallback_replicas: 0\n    num_overprovision: 1\n", "  use_spot: false\n"));
        Assert.False(spec.Service.ReplicaPolicy.UsesOndemandFallback);
    }

    [Fact]
    public void Resources_are_all_spot_or_all_on_demand()
    {
        SpecAssert.HasError(Spec("", "  use_spot: true\n  any_of:\n    - infra: aws\n    - {infra: gcp, use_spot: false}\n"),
            "resources.any_of[1].use_spot", 9, 30, "resources must either all use spot or none use spot");
    }

    [Fact]
    public void Every_location_may_say_use_spot_itself()
    {
        var spec = SpecAssert.Valid(Spec("", "  any_of:\n    - {infra: aws, use_spot: true}\n    - {infra: gcp, use_spot: true}\n"));
        Assert.True(spec.UsesSpot);
    }
}
