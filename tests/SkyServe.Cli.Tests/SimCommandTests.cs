using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>`skyserve sim` as a child process, over the shared traces in ../shared/traces (never copied into the repository).</summary>
public sealed class SimCommandTests : IDisposable
{
    private readonly TempDirectory home = new();

    public void Dispose() => home.Dispose();

    private static string Traces(string folder = "")
    {
        var root = RepoPaths.SharedTraces;
        if (!Directory.Exists(root))
            throw new InvalidOperationException(
                $"The shared spot traces were not found at {root}: they live in ../shared/traces beside the checkout " +
                "(AWS1/, AWS2/, AWS-2022-2zone/) and are never copied into the repository.");
        return folder.Length == 0 ? root : Path.Combine(root, folder);
    }

    private Task<ProcessRunner.Result> Sim(params string[] args) => new SkyServeCli(home.Path).RunAsync(["sim", .. args]);

    [Fact]
    public async Task Json_prints_one_array_of_rows_with_fractions()
    {
        var result = await Sim("--traces", Traces("AWS1"), "--policies", "ondemand,spothedge,hedge_plus", "--repeats", "2", "--ticks", "600", "--json");
        Assert.True(result.ExitCode == 0, result.Output);
        var rows = JsonNode.Parse(result.Stdout)!.AsArray();
        Assert.Equal(["ondemand", "spothedge", "hedge_plus"], rows.Select(row => row!["policy"]!.GetValue<string>()));
        foreach (var row in rows)
        {
            foreach (var key in new[] { "trace", "policy", "availability", "availability_sd", "cost_vs_ondemand", "cost_sd", "p50_s", "p90_s", "p99_s", "failure_rate", "repeats", "seed" })
                Assert.True(row!.AsObject().ContainsKey(key), $"missing {key} in {row}");
            Assert.Equal("AWS1", row!["trace"]!.GetValue<string>());
            Assert.InRange(row["availability"]!.GetValue<double>(), 0, 1);
            Assert.InRange(row["cost_vs_ondemand"]!.GetValue<double>(), 0, 1.5);
            Assert.Equal(2, row["repeats"]!.GetValue<int>());
            Assert.Equal(0, row["seed"]!.GetValue<int>());
        }
        Assert.Equal(1.0, rows[0]!["availability"]!.GetValue<double>());
        Assert.Equal(1.0, rows[0]!["cost_vs_ondemand"]!.GetValue<double>(), 6);
    }

    [Fact]
    public async Task The_table_names_the_settings_each_row_and_the_repeats_windows()
    {
        var result = await Sim("--traces", Traces("AWS2"), "--policies", "even_spread,round_robin,spothedge", "--repeats", "3", "--ticks", "400", "--seed", "4");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("N_tar 3, N_extra 1, 30 s ticks, cold start 120 s", result.Stdout);
        Assert.Contains("seed 4", result.Stdout);
        Assert.Contains("| AWS2 | even_spread |", result.Stdout);
        Assert.Contains("| AWS2 | spothedge |", result.Stdout);
        Assert.Contains("repeat offsets and zone orders:", result.Stdout);
    }

    [Fact]
    public async Task The_optimum_is_solved_by_cbc_and_says_so()
    {
        var result = await Sim("--traces", Traces("AWS1"), "--policies", "optimal,spothedge", "--repeats", "1", "--ticks", "300");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("| AWS1 | optimal | 100.00", result.Stdout);
        Assert.Contains("AWS1 optimal: integer program solved by CBC: 1 of 1 proven optimal", result.Stdout);
    }

    [Fact]
    public async Task Csv_svg_and_replayed_arrivals()
    {
        var arrivals = Path.Combine(home.Path, "arrivals.txt");
        await File.WriteAllLinesAsync(arrivals, ["# seconds", "1.5", "20", "20.5", "300", "4000"]);
        var csv = Path.Combine(home.Path, "out.csv");
        var svg = Path.Combine(home.Path, "charts");
        var result = await Sim("--traces", Traces("AWS-2022-2zone"), "--policies", "spothedge,hedge_plus", "--repeats", "2", "--ticks", "300",
            "--arrivals", arrivals, "--csv", csv, "--svg", svg);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("5 replayed arrivals", result.Stdout);
        var lines = await File.ReadAllLinesAsync(csv);
        Assert.StartsWith("trace,policy,availability,", lines[0]);
        Assert.Equal(1 + 4 * 2, lines.Length); // four instance-type runs x two policies
        Assert.Contains(lines, line => line.StartsWith("AWS-2022-2zone/v100_8,hedge_plus,"));
        Assert.True(File.Exists(Path.Combine(svg, "AWS-2022-2zone_v100_8-cost-availability.svg")));
        Assert.StartsWith("<svg", await File.ReadAllTextAsync(Path.Combine(svg, "AWS-2022-2zone_k80_1-ready.svg")));
    }

    [Fact]
    public async Task Sensitivity_varies_cold_start_and_the_hedge()
    {
        var result = await Sim("--traces", Traces("AWS1"), "--sensitivity", "--repeats", "1", "--ticks", "300", "--json");
        Assert.True(result.ExitCode == 0, result.Output);
        var rows = JsonNode.Parse(result.Stdout)!.AsArray();
        Assert.Equal(2 * (4 + 4), rows.Count);
        Assert.Equal([60, 120, 240, 480], rows.Where(r => r!["policy"]!.GetValue<string>() == "spothedge").Take(4).Select(r => r!["cold_start_s"]!.GetValue<int>()));
        Assert.Equal([0, 1, 2, 3], rows.Where(r => r!["policy"]!.GetValue<string>() == "hedge_plus").Skip(4).Select(r => r!["extra"]!.GetValue<int>()));
    }

    [Theory]
    [InlineData("--repeats", "many", "many")]
    [InlineData("--policies", "spothedge,fastest", "unknown policy 'fastest' (allowed: ondemand, even_spread, round_robin, spothedge, optimal, hedge_plus)")]
    [InlineData("--repeats", "0", "repeats must be positive")]
    [InlineData("--model", "magic", "unknown model 'magic' (allowed: parity, controller)")]
    [InlineData("--cold-start", "-30", "cold start cannot be negative")]
    [InlineData("--no-such-flag", "1", "--no-such-flag")]
    public async Task Bad_flags_exit_2_with_a_clear_message(string flag, string value, string message)
    {
        var result = await Sim("--traces", Traces("AWS1"), flag, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error:", result.Stderr);
        Assert.Contains(message, result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Without_traces_the_command_says_what_it_needs()
    {
        var result = await Sim("--repeats", "1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--traces", result.Stderr);
    }

    [Fact]
    public async Task A_missing_trace_folder_is_a_clear_error()
    {
        var missing = Path.Combine(home.Path, "no-traces-here");
        var result = await Sim("--traces", missing);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("trace folder not found", result.Stderr);
        Assert.Contains(missing, result.Stderr);
        Assert.Contains("../shared/traces", result.Stderr);
    }
}
