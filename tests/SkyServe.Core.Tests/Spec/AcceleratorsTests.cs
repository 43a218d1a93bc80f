using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class AcceleratorsTests
{
    private static ResourcesSpec Resources(string acceleratorsValue) =>
        SpecAssert.Valid($"service:\n  ports: 8080\nresources:\n  accelerators: {acceleratorsValue}\n").Resources;

    [Theory]
    [InlineData("A100:4", "A100", 4)]
    [InlineData("A100", "A100", 1)]
    [InlineData("'H100:8'", "H100", 8)]
    public void String_form_is_one_candidate(string value, string name, int count)
    {
        var resources = Resources(value);
        Assert.Equal([new AcceleratorCandidate(name, count)], resources.Accelerators);
        Assert.False(resources.AcceleratorsOrdered);
    }

    [Fact]
    public void Map_form_is_any_of_the_candidates()
    {
        var resources = Resources("{L4: 1, A10G: 2}");
        Assert.Equal([new AcceleratorCandidate("L4", 1), new AcceleratorCandidate("A10G", 2)], resources.Accelerators);
        Assert.False(resources.AcceleratorsOrdered);
    }

    [Fact]
    public void Set_form_counts_one_of_each()
    {
        var resources = Resources("{L4, A10G}");
        Assert.Equal([new AcceleratorCandidate("L4", 1), new AcceleratorCandidate("A10G", 1)], resources.Accelerators);
    }

    [Theory]
    [InlineData("{L4:1, A10G:1, A100:1}", "L4:1,A10G:1,A100:1")]
    [InlineData("{L4:8, A10g:8}", "L4:8,A10G:8")]
    [InlineData("{l4: 2, a100-80gb: 1}", "L4:2,A100-80GB:1")]
    [InlineData("{L4:1, A10G: 2}", "L4:1,A10G:2")]
    [InlineData("h100:2.0", "H100:2")]
    [InlineData("[a10g, 'l4:2']", "A10G:1,L4:2")]
    public void Set_form_of_NAME_COUNT_strings_and_any_case_read_as_SkyPilot_does(string value, string expected)
    {
        Assert.Equal(expected, string.Join(",", Resources(value).Accelerators));
    }

    [Fact]
    public void An_unknown_accelerator_name_is_kept_as_written()
    {
        Assert.Equal("MI300X:8", Resources("MI300X:8").Accelerators.Single().ToString());
    }

    [Fact]
    public void List_form_is_a_preference_order()
    {
        var resources = Resources("[L4, 'A10G:2', H100:8]");
        Assert.Equal([new AcceleratorCandidate("L4", 1), new AcceleratorCandidate("A10G", 2), new AcceleratorCandidate("H100", 8)], resources.Accelerators);
        Assert.True(resources.AcceleratorsOrdered);
    }

    [Fact]
    public void Block_forms_read_the_same()
    {
        var spec = SpecAssert.Valid("""
            service:
              ports: 8080
            resources:
              accelerators:
                - L4
                - A10G:2
            """);
        Assert.Equal(["L4:1", "A10G:2"], spec.Resources.Accelerators.Select(candidate => candidate.ToString()));
    }

    [Theory]
    [InlineData("A100:0", "resources.accelerators", 4, 17, "the count of accelerator 'A100' must be a whole number from 1 to 1024, got '0'")]
    [InlineData("A100:0.5", "resources.accelerators", 4, 17, "fractional accelerator count 'A100:0.5' is not supported: replicas get whole accelerators")]
    [InlineData("'A 100'", "resources.accelerators", 4, 17, "invalid accelerator 'A 100'")]
    [InlineData("{L4: 1, A10G: two}", "resources.accelerators.A10G", 4, 31, "got 'two'")]
    [InlineData("[L4, [A10G]]", "resources.accelerators[1]", 4, 22, "expected an accelerator such as A100 or A100:4, got a list")]
    [InlineData("[L4, L4:2]", "resources.accelerators[1]", 4, 22, "accelerator 'L4' is listed twice")]
    public void Bad_accelerators_are_errors(string value, string path, int line, int column, string message)
    {
        SpecAssert.HasError($"service:\n  ports: 8080\nresources:\n  accelerators: {value}\n", path, line, column, message);
    }
}
