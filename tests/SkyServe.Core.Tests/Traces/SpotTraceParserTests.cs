using SkyServe.Core.Traces;

namespace SkyServe.Core.Tests.Traces;

/// <summary>Parsing of synthetic trace files: names, values, and errors that name the file and say what is wrong.</summary>
public sealed class SpotTraceParserTests
{
    [Fact]
    public void Reads_gap_data_and_the_parts_of_the_file_name()
    {
        var trace = SpotTraceParser.Parse("""{"metadata": {"gap_seconds": 150, "note": "x"}, "data": [0, 2, 2.0, 1], "extra": true}""", "/some/dir/eu-west-1b_a100_8.json");

        Assert.Equal(("eu-west-1b_a100_8.json", "eu-west-1b_a100_8", "eu-west-1b", "a100", (int?)8), (trace.FileName, trace.Name, trace.Zone, trace.Gpu, trace.NodeCount));
        Assert.Equal(150, trace.GapSeconds);
        Assert.Equal<int>([0, 2, 2, 1], trace.Samples);
        Assert.Equal(2, trace.PeakCapacity);
        Assert.False(trace.IsAvailabilityTrace);
    }

    [Theory]
    [InlineData("zone-x.json", "zone-x")]
    [InlineData("us-west-2c_v100.json", "us-west-2c_v100")]
    [InlineData("us-west-2c_v100_many.json", "us-west-2c_v100_many")]
    [InlineData("my_odd_name_here_1.json", "my_odd_name_here_1")]
    [InlineData("noextension", "noextension")]
    public void A_name_off_the_pattern_is_all_zone(string fileName, string zone)
    {
        var trace = SpotTraceParser.Parse("""{"metadata": {"gap_seconds": 300}, "data": [1]}""", fileName);

        Assert.Equal((zone, (string?)null, (int?)null), (trace.Zone, trace.Gpu, trace.NodeCount));
    }

    [Fact]
    public void Values_of_zero_and_one_only_make_an_availability_trace_kept_as_it_is()
    {
        var trace = SpotTraceParser.Parse("""{"metadata": {"gap_seconds": 600}, "data": [1, 0, 1, 1]}""", "us-west-2a_v100_1.json");

        Assert.True(trace.IsAvailabilityTrace);
        Assert.Equal<int>([1, 0, 1, 1], trace.Samples);
    }

    [Theory]
    [InlineData("""{"data": [1, 2]}""", "'metadata' is missing")]
    [InlineData("""{"metadata": 300, "data": [1, 2]}""", "'metadata' must be an object")]
    [InlineData("""{"metadata": {}, "data": [1, 2]}""", "'metadata.gap_seconds' is missing")]
    [InlineData("""{"metadata": {"gap_seconds": 0}, "data": [1, 2]}""", "'metadata.gap_seconds' must be positive, found 0")]
    [InlineData("""{"metadata": {"gap_seconds": -300}, "data": [1, 2]}""", "'metadata.gap_seconds' must be positive, found -300")]
    [InlineData("""{"metadata": {"gap_seconds": 300.5}, "data": [1, 2]}""", "'metadata.gap_seconds' must be a whole number of seconds, found 300.5")]
    [InlineData("""{"metadata": {"gap_seconds": "300"}, "data": [1, 2]}""", "must be a whole number of seconds, found the string \"300\"")]
    [InlineData("""{"metadata": {"gap_seconds": 300}}""", "'data' is missing")]
    [InlineData("""{"metadata": {"gap_seconds": 300}, "data": {}}""", "'data' must be an array")]
    [InlineData("""{"metadata": {"gap_seconds": 300}, "data": []}""", "'data' is empty")]
    [InlineData("""{"metadata": {"gap_seconds": 300}, "data": [1, 2, -1]}""", "data[2] is -1: a capacity cannot be negative")]
    [InlineData("""{"metadata": {"gap_seconds": 300}, "data": [1, 1.5]}""", "data[1] must be a whole number, found 1.5")]
    [InlineData("""{"metadata": {"gap_seconds": 300}, "data": [1, "2"]}""", "data[1] must be a whole number, found the string \"2\"")]
    [InlineData("""{"metadata": {"gap_seconds": 300}, "data": [1, null]}""", "data[1] must be a whole number, found null")]
    [InlineData("""{"metadata": {"gap_seconds": 300}, "data": [1, 1e12]}""", "data[1] must be a whole number, found 1e12")]
    [InlineData("""[1, 2, 3]""", "expected an object with 'metadata' and 'data', found an array")]
    [InlineData("""{"metadata": {"gap_seconds": 300}, "data": [1, 2""", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    public void Bad_files_fail_naming_the_file_and_the_problem(string json, string expected)
    {
        var error = Assert.Throws<SpotTraceException>(() => SpotTraceParser.Parse(json, "us-east-1a_v100_1.json"));

        Assert.Equal("us-east-1a_v100_1.json", error.Source);
        Assert.StartsWith("us-east-1a_v100_1.json: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void An_empty_file_name_is_refused()
    {
        var error = Assert.Throws<SpotTraceException>(() => SpotTraceParser.Parse("""{"metadata": {"gap_seconds": 300}, "data": [1]}""", ".json"));

        Assert.Contains("names no zone", error.Message);
    }
}
