using SkyServe.LoadBalancer.Hosting;
using SkyServe.Testing;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>The load balancer's flags: every one reaches its option, and misuse is one clear line and exit code 2.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Every_flag_reaches_its_option()
    {
        var o = LoadBalancerCommandLine.Parse([
            "--listen", "http://127.0.0.1:9000", "--static-backends", "http://127.0.0.1:1, http://127.0.0.1:2", "--policy", "round_robin",
            "--domain", "example.test", "--no-path-routing", "--max-attempts", "5", "--connect-timeout-ms", "1500",
            "--activity-timeout-ms", "60000", "--failed-cooldown-ms", "2000", "--scale-to-zero-wait-ms", "3000", "--stats-interval-ms", "700",
            "--replayable-body-limit", "4096", "--api-key", "chat=k1", "--api-key", "code=k=2", "--id", "lb-7", "--no-resume",
        ]);

        Assert.Equal("http://127.0.0.1:9000", o.Listen);
        Assert.Equal(["http://127.0.0.1:1", "http://127.0.0.1:2"], o.StaticBackends);
        Assert.Equal("round_robin", o.StaticPolicy);
        Assert.Equal("example.test", o.Domain);
        Assert.False(o.PathPrefixRouting);
        Assert.Equal(5, o.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), o.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), o.ActivityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), o.FailedReplicaCooldown);
        Assert.Equal(TimeSpan.FromSeconds(3), o.ScaleToZeroWait);
        Assert.Equal(TimeSpan.FromMilliseconds(700), o.StatsInterval);
        Assert.Equal(4096, o.ReplayableBodyLimit);
        Assert.Equal(new Dictionary<string, string> { ["chat"] = "k1", ["code"] = "k=2" }, o.ApiKeys);
        Assert.Equal("lb-7", o.Id);
        Assert.False(o.Resume);
        Assert.Null(o.ControllerUrl);
    }

    [Fact]
    public void Defaults_stay_when_a_flag_is_not_given()
    {
        var o = LoadBalancerCommandLine.Parse(["--controller", "http://127.0.0.1:30580"]);
        var defaults = new LoadBalancer.Hosting.LoadBalancerOptions();
        Assert.Equal(defaults.Listen, o.Listen);
        Assert.Equal(defaults.MaxAttempts, o.MaxAttempts);
        Assert.Equal(defaults.ConnectTimeout, o.ConnectTimeout);
        Assert.True(o.PathPrefixRouting);
        Assert.True(o.Resume);
        Assert.Equal("http://127.0.0.1:30580", o.ControllerUrl);
    }

    [Theory]
    [InlineData("--max-attempts", new[] { "--controller", "http://c", "--max-attempts", "0" })]
    [InlineData("--connect-timeout-ms", new[] { "--controller", "http://c", "--connect-timeout-ms", "0x10" })]
    [InlineData("--bogus", new[] { "--controller", "http://c", "--bogus", "1" })]
    [InlineData("--listen", new[] { "--controller", "http://c", "--listen" })]
    [InlineData("--controller or --static-backends", new string[0])]
    [InlineData("--tls-key", new[] { "--controller", "http://c", "--tls-cert", "cert.pem" })]
    [InlineData("--api-key", new[] { "--controller", "http://c", "--api-key", "nokey" })]
    [InlineData("--listen must be an http:// or https:// URL", new[] { "--controller", "http://c", "--listen", "127.0.0.1:80" })]
    [InlineData("--listen must have a port of 0-65535", new[] { "--controller", "http://c", "--listen", "http://127.0.0.1:99999" })]
    [InlineData("--controller must be an absolute http:// or https:// URL (got 'c:30580')", new[] { "--controller", "c:30580" })]
    [InlineData("--static-backends must be an absolute", new[] { "--static-backends", "http://127.0.0.1:1,127.0.0.1:2" })]
    [InlineData("--policy must be one of", new[] { "--static-backends", "http://127.0.0.1:1", "--policy", "fastest" })]
    public void Misuse_names_the_flag(string named, string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => LoadBalancerCommandLine.Parse(args));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task A_bad_flag_exits_2_with_the_usage()
    {
        var result = await ProcessRunner.RunAsync("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "SkyServe.LoadBalancer.dll"), "--controller", "http://127.0.0.1:1", "--max-attempts", "none"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: --max-attempts takes a positive whole number, not 'none'", result.Output);
        Assert.Contains("usage: SkyServe.LoadBalancer", result.Output);
    }
}
