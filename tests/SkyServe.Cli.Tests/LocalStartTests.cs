using System.Net;
using System.Net.Sockets;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>`skyserve local start` as an unlucky operator meets it: a port already taken, a second data directory.</summary>
public sealed class LocalStartTests : IDisposable
{
    private readonly TempDirectory home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public async Task A_port_in_use_is_one_clear_line()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var cli = new SkyServeCli(home.Path);

        var result = await cli.RunAsync("local", "start", "--port", port.ToString(), "--lb-port", "0", "--no-example",
            "--data-dir", Path.Combine(home.Path, "data"));

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:"));
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", error);
        Assert.Contains("--port", error);
        Assert.DoesNotContain("   at ", result.Output); // no stack trace
    }

    [Theory]
    [InlineData("--port", "70000")]
    [InlineData("--lb-port", "-1")]
    public async Task A_port_out_of_range_is_refused_before_anything_starts(string flag, string value)
    {
        var cli = new SkyServeCli(home.Path);
        var data = Path.Combine(home.Path, "data");
        var ports = flag == "--port" ? new[] { "--port", value, "--lb-port", "0" } : ["--port", "0", "--lb-port", value];

        var result = await cli.RunAsync(["local", "start", .. ports, "--no-example", "--data-dir", data]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{flag} must be a port number of 0-65535 (got {value})", result.Output);
        Assert.DoesNotContain("   at ", result.Output);
        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public async Task Another_data_directory_leaves_the_cli_config_alone_unless_asked()
    {
        var cli = new SkyServeCli(home.Path);
        var config = Path.Combine(home.Path, "config.json");
        const string mine = """{ "url": "http://127.0.0.1:30580", "token": "sks_the_users_own" }""";
        await File.WriteAllTextAsync(config, mine);

        var other = Path.Combine(home.Path, "elsewhere");
        await using (var controller = await LocalController.StartAsync(cli, other, writeCliConfig: false))
        {
            Assert.Equal(mine, await File.ReadAllTextAsync(config));
            Assert.Contains("left as it was", controller.Output);
            Assert.Contains($"SKYSERVE_URL={controller.Url}", controller.Output);
        }

        await using (var controller = await LocalController.StartAsync(cli, other))
            Assert.Contains(controller.Url, await File.ReadAllTextAsync(config));
    }
}
