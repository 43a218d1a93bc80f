using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>
/// The service owner's workflow exactly as the README gives it: `skyserve local start` in one process,
/// `skyserve up/status/update/events/down` in others, a restart in between; on SQLite and PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CliWorkflowTests(PostgresServer postgres) : IDisposable
{
    private readonly TempDirectory home = new();

    public void Dispose() => home.Dispose();

    private static string Example(string name) => Path.Combine(RepoPaths.Examples, name);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Up_status_update_restart_down(bool usePostgres)
    {
        var cli = new SkyServeCli(home.Path);
        var data = Path.Combine(home.Path, "data");
        var connection = usePostgres ? postgres.NewDatabase("cli") : null;

        await using (var controller = await LocalController.StartAsync(cli, data, connection))
        {
            Assert.Contains("API token", controller.Output); // generated on first start, shown once
            var up = await cli.RunAsync("up", Example("vllm-spothedge.yaml"), "-n", "llm");
            Assert.True(up.ExitCode == 0, up.Output);
            Assert.Contains("Service llm created (version 1", up.Stdout);
            Assert.True((await cli.RunAsync("up", Example("fixed-ondemand.yaml"), "-n", "fixed")).ExitCode == 0);

            var duplicate = await cli.RunAsync("up", Example("fixed-ondemand.yaml"), "-n", "fixed");
            Assert.Equal(1, duplicate.ExitCode);
            Assert.Contains("already exists", duplicate.Stderr);

            var status = await cli.RunAsync("status");
            Assert.True(status.ExitCode == 0, status.Output);
            Assert.Matches(@"NAME\s+VERSION\s+STATUS\s+REPLICAS\s+ENDPOINT\s+AGE", status.Stdout);
            Assert.Matches(@"fixed\s+1\s+(CONTROLLER_INIT|REPLICA_INIT|READY)", status.Stdout);
            Assert.Matches(@"llm\s+1\s+(CONTROLLER_INIT|REPLICA_INIT|READY)", status.Stdout);

            var update = await cli.RunAsync("update", "llm", Example("vllm-spothedge.yaml"), "--mode", "blue_green");
            Assert.True(update.ExitCode == 0, update.Output);
            Assert.Contains("version 2", update.Stdout);

            var one = await cli.RunAsync("status", "llm");
            Assert.Matches(@"llm\s+2\s+(CONTROLLER_INIT|REPLICA_INIT|READY)", one.Stdout);
            Assert.Contains("Replicas of llm:", one.Stdout);
            Assert.Matches(@"ID\s+VERSION\s+STATUS\s+LOCATION\s+MARKET\s+ENDPOINT\s+AGE", one.Stdout);

            var events = await cli.RunAsync("events", "llm");
            Assert.Contains("version 2 submitted (blue_green update)", events.Stdout);
        }

        // A restart keeps every service, and the CLI finds the controller again through its config file.
        await using (var controller = await LocalController.StartAsync(cli, data, connection))
        {
            Assert.DoesNotContain("API token (shown once", controller.Output);
            var json = await cli.RunAsync("status", "--json");
            Assert.True(json.ExitCode == 0, json.Output);
            var services = JsonNode.Parse(json.Stdout)!.AsArray();
            Assert.Equal(["fixed", "llm"], services.Select(s => s!["name"]!.GetValue<string>()));
            Assert.Equal(2, services[1]!["version"]!.GetValue<int>());

            var down = await cli.RunAsync("down", "llm");
            Assert.True(down.ExitCode == 0, down.Output);
            Assert.Matches("Service llm (deleted|is shutting down)", down.Stdout);
            // Its replicas are terminated first; then the service is gone.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            ProcessRunner.Result gone;
            while ((gone = await cli.RunAsync("status", "llm")).ExitCode == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"llm was not torn down:\n{gone.Output}");
                await Task.Delay(500);
            }
            Assert.Contains("does not exist", gone.Stderr);
            Assert.True((await cli.RunAsync("down", "fixed", "--purge")).ExitCode == 0);
        }
    }

    [Fact]
    public async Task The_local_example_gets_ready_replicas_shown_with_zone_and_market()
    {
        var cli = new SkyServeCli(home.Path);
        await using var controller = await LocalController.StartAsync(cli, Path.Combine(home.Path, "data"));
        var up = await cli.RunAsync("up", Example("local-chat.yaml"));
        Assert.True(up.ExitCode == 0, up.Output);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        ProcessRunner.Result status;
        do
        {
            await Task.Delay(500);
            status = await cli.RunAsync("status", "local-chat");
            Assert.True(DateTime.UtcNow < deadline, $"no READY replica within 60 s:\n{status.Output}\n{controller.Output}");
        }
        while (!System.Text.RegularExpressions.Regex.IsMatch(status.Stdout, @"\n\d+\s+1\s+READY\s+\S+/\S+/\S+\s+spot\s+http://127\.0\.0\.1:\d+"));
        Assert.Matches(@"local-chat\s+1\s+READY\s+[1-9]\d*/", status.Stdout);

        var events = await cli.RunAsync("events", "local-chat");
        Assert.Contains("PROVISIONING", events.Stdout);
        Assert.Contains("readiness probe succeeded", events.Stdout);
        Assert.True((await cli.RunAsync("down", "local-chat")).ExitCode == 0);
    }

    [Fact]
    public async Task Server_side_spec_errors_are_printed_with_path_and_line()
    {
        var cli = new SkyServeCli(home.Path);
        await using var controller = await LocalController.StartAsync(cli, Path.Combine(home.Path, "data"));
        var bad = Path.Combine(home.Path, "bad.yaml");
        await File.WriteAllTextAsync(bad, "service:\n  replicas: 1\n  colour: blue\n");
        var up = await cli.RunAsync("up", bad);
        Assert.Equal(1, up.ExitCode);
        Assert.Contains("service.colour (line 3, column 3)", up.Stderr);
        Assert.Contains("400", up.Stderr);
    }

    [Fact]
    public async Task Unreachable_controller_is_a_clear_error()
    {
        var cli = new SkyServeCli(home.Path);
        var result = await cli.RunAsync("status", "--url", $"http://127.0.0.1:{FreePort.Next()}");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot reach the controller", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr); // no stack trace
    }

    [Fact]
    public async Task Wrong_token_is_refused()
    {
        var cli = new SkyServeCli(home.Path);
        await using var controller = await LocalController.StartAsync(cli, Path.Combine(home.Path, "data"));
        var result = await cli.RunAsync("up", Example("fixed-ondemand.yaml"), "--token", "nope");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("401", result.Stderr);
    }
}
