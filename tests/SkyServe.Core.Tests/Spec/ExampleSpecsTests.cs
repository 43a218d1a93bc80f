using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class ExampleSpecsTests
{
    private static readonly string ExamplesFolder = Path.Combine(RepositoryRoot.Path, "config", "examples");

    public static TheoryData<string> ExampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(ExamplesFolder, "*.*").Where(IsSpecFile).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Every_example_is_valid(string fileName)
    {
        var spec = SpecAssert.Valid(File.ReadAllText(Path.Combine(ExamplesFolder, fileName)));
        Assert.False(string.IsNullOrEmpty(spec.Name));
        // The effective form of every example parses back to the same meaning.
        Assert.True(SpecAssert.Valid(EffectiveSpecJson.Write(spec)).IsEquivalentTo(spec));
    }

    [Fact]
    public void The_five_required_examples_exist()
    {
        foreach (var name in new[] { "local-chat.yaml", "vllm-spothedge.yaml", "fixed-ondemand.yaml", "instance-aware.yaml", "scale-to-zero.yaml" })
            Assert.True(File.Exists(Path.Combine(ExamplesFolder, name)), name);
    }

    [Fact]
    public void Local_chat_runs_the_built_in_engine_on_local_spot_with_SpotHedge()
    {
        var spec = Load("local-chat.yaml");
        Assert.Equal(ModelEngine.Cpu, spec.Model!.Engine);
        Assert.Equal([new CloudLocation("local")], spec.Resources.Locations);
        Assert.True(spec.UsesSpot);
        Assert.Equal("/v1/models", spec.Service.ReadinessProbe.Path);
        Assert.Equal((1, 3), (spec.Service.ReplicaPolicy.MinReplicas, spec.Service.ReplicaPolicy.MaxReplicas));
        Assert.Equal(SpotPlacer.DynamicFallback, spec.Service.ReplicaPolicy.SpotPlacer);
        Assert.True(spec.Service.ReplicaPolicy.DynamicOndemandFallback);
        Assert.Null(spec.Run);
    }

    [Fact]
    public void Vllm_spothedge_spreads_spot_over_three_clouds()
    {
        var spec = Load("vllm-spothedge.yaml");
        Assert.Equal(["aws/us-east-1", "gcp/us-central1", "azure/eastus"], spec.Resources.Locations.Select(location => location.ToInfra()));
        Assert.True(spec.UsesSpot);
        var policy = spec.Service.ReplicaPolicy;
        Assert.Equal(SpotPlacer.DynamicFallback, policy.SpotPlacer);
        Assert.Equal(1, policy.NumOverprovision);
        Assert.True(policy.DynamicOndemandFallback);
        Assert.NotNull(spec.Run);
        Assert.Equal("POST", spec.Service.ReadinessProbe.HttpMethod);
    }

    [Fact]
    public void Fixed_ondemand_has_two_fixed_on_demand_replicas()
    {
        var spec = Load("fixed-ondemand.yaml");
        Assert.True(spec.Service.FixedReplicas);
        Assert.Equal(2, spec.Service.ReplicaPolicy.MinReplicas);
        Assert.Equal(2, spec.Service.ReplicaPolicy.MaxReplicas);
        Assert.False(spec.UsesSpot);
    }

    [Fact]
    public void Instance_aware_maps_targets_per_GPU()
    {
        var spec = Load("instance-aware.yaml");
        Assert.Equal(LoadBalancingPolicy.InstanceAwareLeastLoad, spec.Service.LoadBalancingPolicy);
        Assert.Equal(8, spec.Service.ReplicaPolicy.TargetQpsPerReplica!.For("A100"));
        Assert.Equal(2, spec.Service.ReplicaPolicy.TargetQpsPerReplica.For("L4"));
        Assert.Equal([new AcceleratorCandidate("A100", 1), new AcceleratorCandidate("L4", 1)], spec.Resources.Accelerators);
    }

    [Fact]
    public void Scale_to_zero_has_min_replicas_zero()
    {
        Assert.Equal(0, Load("scale-to-zero.yaml").Service.ReplicaPolicy.MinReplicas);
    }

    private static ServiceSpec Load(string fileName) => ServiceSpecParser.Parse(File.ReadAllText(Path.Combine(ExamplesFolder, fileName)));

    private static bool IsSpecFile(string path) =>
        path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal) || path.EndsWith(".json", StringComparison.Ordinal);
}
