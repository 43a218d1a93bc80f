using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>`skyserve validate` works offline, on every example and on broken files.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    private readonly TempDirectory home = new();

    public void Dispose() => home.Dispose();

    public static TheoryData<string> Examples() => new(Directory.GetFiles(RepoPaths.Examples, "*.yaml").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Every_example_is_valid(string file)
    {
        var result = await new SkyServeCli(home.Path).RunAsync("validate", Path.Combine(RepoPaths.Examples, file));
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("valid", result.Stdout);
    }

    [Fact]
    public async Task Json_prints_the_effective_spec_with_defaults_under_skypilot_names()
    {
        var spec = Path.Combine(home.Path, "s.yaml");
        await File.WriteAllTextAsync(spec, "service:\n  readiness_probe: /health\n  ports: 8080\nresources:\n  cpus: 2\n");
        var result = await new SkyServeCli(home.Path).RunAsync("validate", spec, "--json");
        Assert.True(result.ExitCode == 0, result.Output);
        var json = JsonNode.Parse(result.Stdout)!;
        Assert.Equal(1, json["service"]!["replica_policy"]!["min_replicas"]!.GetValue<int>());
        Assert.Equal(1200, json["service"]!["readiness_probe"]!["initial_delay_seconds"]!.GetValue<int>());
        Assert.Equal("/health", json["service"]!["readiness_probe"]!["path"]!.GetValue<string>());
        Assert.Equal("least_load", json["service"]!["load_balancing_policy"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invalid_file_exits_1_naming_path_and_line()
    {
        var spec = Path.Combine(home.Path, "bad.yaml");
        await File.WriteAllTextAsync(spec, "service:\n  replica_policy:\n    min_replicas: 2\n    max_replicas: 1\n");
        var result = await new SkyServeCli(home.Path).RunAsync("validate", spec);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("service.replica_policy", result.Stderr);
        Assert.Contains("line ", result.Stderr);
    }

    [Fact]
    public async Task Missing_file_is_a_clear_error()
    {
        var result = await new SkyServeCli(home.Path).RunAsync("validate", Path.Combine(home.Path, "none.yaml"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no such file", result.Stderr);
    }
}
