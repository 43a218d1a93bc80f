using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

/// <summary>
/// <c>--infra/--cloud/--region/--zone/--gpus/--use-spot</c> given beside the spec: laid over every candidate of its
/// resources, as SkyPilot's Task.set_resources_override copies each of its resources with them.
/// </summary>
public sealed class ResourceOverridesTests
{
    private const string Head = "service:\n  readiness_probe: /\n  replicas: 1\n";

    private static ServiceSpec Parse(string resourceLines, ResourceOverrides overrides)
    {
        var result = ServiceSpecParser.TryParse(Head + "resources:\n  ports: 8080\n" + resourceLines, new SpecInputs { Resources = overrides });
        Assert.True(result.IsValid, string.Join('\n', result.Errors));
        return result.Spec!;
    }

    private static IEnumerable<string> Candidates(ServiceSpec spec) => spec.Resources.Candidates().Select(candidate => candidate.ToString());

    [Fact]
    public void Gpus_replace_the_accelerators_of_every_candidate()
    {
        var spec = Parse("  accelerators: {A100:1, L4:1}\n  any_of: [{infra: aws}, {infra: gcp}]\n", new ResourceOverrides { Accelerators = "L4:1" });
        Assert.Equal(["aws L4:1", "gcp L4:1"], Candidates(spec));
    }

    [Fact]
    public void Gpus_take_every_accelerator_form()
    {
        var spec = Parse("", new ResourceOverrides { Accelerators = "{L4:1, a10g:1}" });
        Assert.Equal(["* L4:1", "* A10G:1"], Candidates(spec));
    }

    [Fact]
    public void Infra_replaces_every_entrys_location_and_entries_made_alike_become_one()
    {
        var spec = Parse("  accelerators: L4:1\n  any_of: [{infra: aws/us-west-2}, {infra: gcp}]\n", new ResourceOverrides { Infra = "aws/us-east-1" });
        Assert.Equal(["aws/us-east-1 L4:1"], Candidates(spec));
    }

    [Fact]
    public void Region_keeps_the_cloud_and_drops_a_zone_of_another_region()
    {
        var spec = Parse("  accelerators: L4:1\n  infra: aws/us-east-1/us-east-1a\n", new ResourceOverrides { Region = "us-west-2" });
        Assert.Equal(["aws/us-west-2 L4:1"], Candidates(spec));
    }

    [Fact]
    public void A_zone_alone_finds_its_region_and_cloud()
    {
        var spec = Parse("  accelerators: L4:1\n", new ResourceOverrides { Zone = "us-central1-a" });
        Assert.Equal(["gcp/us-central1/us-central1-a L4:1"], Candidates(spec));
    }

    [Fact]
    public void Use_spot_makes_every_candidate_spot()
    {
        var spec = Parse("  accelerators: L4:1\n  any_of: [{infra: aws}, {infra: gcp}]\n", new ResourceOverrides { UseSpot = true });
        Assert.True(spec.UsesSpot);
        Assert.All(spec.Resources.Entries, entry => Assert.True(entry.UseSpot));
        var onDemand = Parse("  accelerators: L4:1\n  use_spot: true\n", new ResourceOverrides { UseSpot = false });
        Assert.False(onDemand.UsesSpot);
    }

    [Fact]
    public void Overrides_apply_to_a_spec_without_resources()
    {
        var result = ServiceSpecParser.TryParse(Head + "  ports: 8080\n", new SpecInputs { Resources = new ResourceOverrides { Accelerators = "L4:1", Infra = "aws" } });
        Assert.True(result.IsValid, string.Join('\n', result.Errors));
        Assert.Equal(["aws L4:1"], Candidates(result.Spec!));
    }

    [Theory]
    [InlineData("--cloud", "no Kubernetes provider")]
    [InlineData("--gpus", "fractional accelerator count 'T4:0.5'")]
    [InlineData("--infra", "--infra cannot be combined with --cloud, --region or --zone")]
    public void Bad_overrides_are_refused_under_the_flags_name(string flag, string message)
    {
        var overrides = flag switch
        {
            "--cloud" => new ResourceOverrides { Cloud = "kubernetes" },
            "--gpus" => new ResourceOverrides { Accelerators = "T4:0.5" },
            _ => new ResourceOverrides { Infra = "aws", Region = "us-east-1" },
        };
        var result = ServiceSpecParser.TryParse(Head + "resources:\n  ports: 8080\n", new SpecInputs { Resources = overrides });
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, error => error.Path == flag && error.Message.Contains(message, StringComparison.Ordinal));
    }
}
