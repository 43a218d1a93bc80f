using SkyServe.Core.Traces;
using SkyServe.Testing;

namespace SkyServe.Core.Tests.Traces;

/// <summary>Loading a folder of traces: sorted by file name, only *.json, clear errors, alignment of different lengths.</summary>
public sealed class SpotTraceSetTests
{
    private const string Json = """{"metadata": {"gap_seconds": 300}, "data": [DATA]}""";

    [Fact]
    public void A_folder_loads_sorted_by_file_name_and_skips_other_files()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "us-west-2c_v100_1.json"), Json.Replace("DATA", "1, 1, 1"));
        File.WriteAllText(Path.Combine(folder.Path, "us-east-2a_v100_1.json"), Json.Replace("DATA", "2, 2"));
        File.WriteAllText(Path.Combine(folder.Path, "us-east-1f_v100_1.json"), Json.Replace("DATA", "3, 3, 3, 3"));
        File.WriteAllText(Path.Combine(folder.Path, "README.md"), "not a trace");
        Directory.CreateDirectory(Path.Combine(folder.Path, "nested"));
        File.WriteAllText(Path.Combine(folder.Path, "nested", "a_b_1.json"), Json.Replace("DATA", "1"));

        var set = SpotTraceSet.LoadDirectory(folder.Path);

        Assert.Equal<string>(["us-east-1f", "us-east-2a", "us-west-2c"], set.Zones);
        Assert.Equal(2, set.CommonLength);
        Assert.False(set.HasEqualLengths);
        Assert.Equal<int>([2, 2, 2], set.Aligned().Traces.Select(t => t.Length));
    }

    [Fact]
    public void Order_does_not_depend_on_the_order_traces_are_given_in()
    {
        var b = new SpotTrace(SpotTraceName.Parse("b_x_1.json"), 300, [1]);
        var a = new SpotTrace(SpotTraceName.Parse("a_x_1.json"), 300, [1]);

        Assert.Equal(new SpotTraceSet([a, b]), new SpotTraceSet([b, a]));
        Assert.Equal<string>(["a", "b"], new SpotTraceSet([b, a]).Zones);
    }

    [Fact]
    public void A_folder_without_traces_is_an_error()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "notes.txt"), "nothing");

        var error = Assert.Throws<SpotTraceException>(() => SpotTraceSet.LoadDirectory(folder.Path));

        Assert.Equal($"{folder.Path}: no trace files (*.json) in this folder", error.Message);
    }

    [Fact]
    public void A_missing_folder_is_an_error()
    {
        var error = Assert.Throws<SpotTraceException>(() => SpotTraceSet.LoadDirectory("/nonexistent/traces"));

        Assert.Equal("/nonexistent/traces: trace folder not found", error.Message);
    }

    [Fact]
    public void A_bad_file_fails_the_folder_naming_the_file()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "a_v100_1.json"), Json.Replace("DATA", "1"));
        File.WriteAllText(Path.Combine(folder.Path, "b_v100_1.json"), """{"metadata": {}, "data": [1]}""");

        var error = Assert.Throws<SpotTraceException>(() => SpotTraceSet.LoadDirectory(folder.Path));

        Assert.StartsWith("b_v100_1.json: 'metadata.gap_seconds' is missing", error.Message);
    }

    [Fact]
    public void Traces_with_different_gaps_do_not_align_by_sample()
    {
        var set = new SpotTraceSet([new SpotTrace(SpotTraceName.Parse("a.json"), 300, [1, 1]), new SpotTrace(SpotTraceName.Parse("b.json"), 600, [1])]);

        Assert.Contains("different gaps", Assert.Throws<InvalidOperationException>(() => set.Aligned()).Message);
    }

    [Fact]
    public void A_set_needs_traces_with_distinct_names()
    {
        var a = new SpotTrace(SpotTraceName.Parse("a.json"), 300, [1]);

        Assert.Throws<ArgumentException>(() => new SpotTraceSet([]));
        Assert.Contains("two traces are named a.json", Assert.Throws<ArgumentException>(() => new SpotTraceSet([a, a])).Message);
    }
}
