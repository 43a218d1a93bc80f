using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class ResourcesTests
{
    [Fact]
    public void Reads_every_machine_key()
    {
        var resources = SpecAssert.Valid("""
            service:
              ports: 8080
            resources:
              instance_type: g5.xlarge
              cpus: 8+
              memory: 32GB+
              disk_size: 512
              disk_tier: high
              image_id: ami-0123456789abcdef0
              labels:
                team: inference
                cost-center: "42"
            """).Resources;
        Assert.Equal("g5.xlarge", resources.InstanceType);
        Assert.Equal("8+", resources.Cpus);
        Assert.Equal("32GB+", resources.Memory);
        Assert.Equal(512, resources.DiskSizeGb);
        Assert.Equal("high", resources.DiskTier);
        Assert.Equal("ami-0123456789abcdef0", resources.ImageId);
        Assert.Equal("inference", resources.Labels["team"]);
        Assert.Equal("42", resources.Labels["cost-center"]);
    }

    [Theory]
    [InlineData("cpus: 4", "4")]
    [InlineData("cpus: 0.5", "0.5")]
    [InlineData("memory: 16", "16")]
    [InlineData("memory: '64+'", "64+")]
    public void Cpus_and_memory_accept_numbers_and_strings(string line, string expected)
    {
        var resources = SpecAssert.Valid($"service:\n  ports: 8080\nresources:\n  {line}\n").Resources;
        Assert.Equal(expected, line.StartsWith("cpus", StringComparison.Ordinal) ? resources.Cpus : resources.Memory);
    }

    [Theory]
    [InlineData("256", 256)]
    [InlineData("'100GB'", 100)]
    [InlineData("1TB", 1024)]
    [InlineData("2T", 2048)]
    public void Disk_size_is_in_GB(string value, int expected)
    {
        Assert.Equal(expected, SpecAssert.Valid($"service:\n  ports: 8080\nresources:\n  disk_size: {value}\n").Resources.DiskSizeGb);
    }

    [Theory]
    [InlineData("8080", new[] { "8080" })]
    [InlineData("'10020-10040'", new[] { "10020-10040" })]
    [InlineData("[8080, '9000-9001']", new[] { "8080", "9000-9001" })]
    public void Ports_forms(string value, string[] expected)
    {
        var spec = SpecAssert.Valid($"service:\n  ports: 8080\nresources:\n  ports: {value}\n");
        Assert.Equal(expected, spec.Resources.Ports.Select(range => range.ToString()));
    }

    [Theory]
    [InlineData("  cpus: many\n", "resources.cpus", 4, 9, "expected a CPU count such as 8 or 8+, got 'many'")]
    [InlineData("  memory: [1]\n", "resources.memory", 4, 11, "expected a memory size in GB such as 32 or 32+, got a list")]
    [InlineData("  disk_size: 0\n", "resources.disk_size", 4, 14, "disk_size must be >= 1, got 0")]
    [InlineData("  disk_size: 10PB\n", "resources.disk_size", 4, 14, "expected a disk size in GB such as 256 or 1TB, got '10PB'")]
    [InlineData("  disk_tier: fast\n", "resources.disk_tier", 4, 14, "unknown disk_tier 'fast' (allowed: low, medium, high, ultra, best)")]
    [InlineData("  ports: 70000\n", "resources.ports", 4, 10, "expected a port from 1 to 65535 or a range such as 10020-10040, got '70000'")]
    [InlineData("  ports: '9000-8000'\n", "resources.ports", 4, 10, "got '9000-8000'")]
    [InlineData("  ports: [8080, 8080]\n", "resources.ports[1]", 4, 17, "port 8080 overlaps another entry of ports")]
    [InlineData("  ports: {a: 1}\n", "resources.ports", 4, 10, "expected a port, a range such as 10020-10040, or a list of them, got a mapping")]
    [InlineData("  use_spot: sometimes\n", "resources.use_spot", 4, 13, "expected true or false, got 'sometimes'")]
    [InlineData("  use_spot: 'true'\n", "resources.use_spot", 4, 13, "(quoted, so it is a string: remove the quotes)")]
    [InlineData("  labels: [a]\n", "resources.labels", 4, 11, "expected a mapping of names to values, got a list")]
    [InlineData("  instance_type: {a: 1}\n", "resources.instance_type", 4, 18, "expected a string, got a mapping")]
    public void Bad_machine_keys_are_errors(string resourceLines, string path, int line, int column, string message)
    {
        SpecAssert.HasError("service:\n  ports: 8080\nresources:\n" + resourceLines, path, line, column, message);
    }

    [Fact]
    public void A_label_may_not_pose_as_a_skyserve_tag()
    {
        SpecAssert.OnlyError("service:\n  ports: 8080\nresources:\n  labels:\n    skyserve-service: other\n",
            "resources.labels.skyserve-service", "reserved for SkyServe's own machine tags");
    }

    [Theory]
    [InlineData("Team: inference", "resources.labels.Team", "not a valid GCP label key")]
    [InlineData("team: Inference", "resources.labels.team", "not a valid GCP label value")]
    [InlineData("example.com/team: a", "resources.labels.example.com/team", "not a valid GCP label key")]
    public void Where_GCP_is_a_candidate_labels_follow_its_rules(string label, string path, string message)
    {
        SpecAssert.OnlyError($"service:\n  ports: 8080\nresources:\n  any_of:\n    - infra: aws\n    - infra: gcp\n  labels:\n    {label}\n", path, message);
        // Elsewhere AWS and Azure take them.
        SpecAssert.Valid($"service:\n  ports: 8080\nresources:\n  infra: aws\n  labels:\n    {label}\n");
    }

    [Fact]
    public void Job_recovery_is_refused_with_SkyServes_reason()
    {
        SpecAssert.HasError("service:\n  ports: 8080\nresources:\n  job_recovery: FAILOVER\n", "resources.job_recovery", 4, 3,
            "unsupported key 'job_recovery': job_recovery is disabled for SkyServe");
    }

    [Fact]
    public void Resources_must_be_a_mapping()
    {
        SpecAssert.HasError("service:\n  ports: 8080\nresources: A100\n", "resources", 3, 12, "expected a mapping, got 'A100'");
    }
}
