using SkyServe.Core.Hosting;

namespace SkyServe.Core.Tests.Hosting;

public sealed class SettingProblemsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:30580")]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("https://localhost:443/")]
    [InlineData("http://+:30580")]
    [InlineData("http://*:30580")]
    [InlineData("http://0.0.0.0:65535")]
    [InlineData("http://[::1]:8080")]
    [InlineData("http://[::]:8080")]
    [InlineData("http://example.test")]
    [InlineData("HTTP://127.0.0.1:1")]
    [InlineData("http://unix:/run/skyserve.sock")]
    public void Kestrel_listen_urls_pass(string url) => Assert.Null(SettingProblems.ListenUrlProblem(url));

    [Theory]
    [InlineData("", "must be an http:// or https:// URL")]
    [InlineData("127.0.0.1:30580", "must be an http:// or https:// URL")]
    [InlineData("ftp://127.0.0.1:21", "must be an http:// or https:// URL")]
    [InlineData("http://:30580", "must be an http:// or https:// URL")]
    [InlineData("http://bad host:1", "must be an http:// or https:// URL")]
    [InlineData("http://[::1:80", "must be an http:// or https:// URL")]
    [InlineData("http://127.0.0.1:70000", "must have a port of 0-65535 (got 'http://127.0.0.1:70000')")]
    [InlineData("http://127.0.0.1:-1", "must have a port of 0-65535")]
    [InlineData("http://127.0.0.1:port", "must have a port of 0-65535")]
    [InlineData("http://127.0.0.1:80/api", "without a path")]
    public void Other_listen_urls_say_what_is_wrong(string url, string expected) =>
        Assert.Contains(expected, SettingProblems.ListenUrlProblem(url));

    [Fact]
    public void Each_problem_names_the_setting_and_the_value()
    {
        var p = new SettingProblems("SkyServe");
        p.Positive("Reconcile:Interval", TimeSpan.FromSeconds(-1));
        p.Positive("Reconcile:Fine", TimeSpan.FromSeconds(1));
        p.NotNegative("Jobs:OrphanGrace", TimeSpan.FromMilliseconds(-500));
        p.NotNegative("Jobs:Zero", TimeSpan.Zero);
        p.AtLeast("Reconcile:MaxLaunchesInFlight", 0, 1);
        p.AtLeast("Reconcile:MaxLaunchBackoff", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), "Reconcile:LaunchBackoff");
        p.Required("DataDirectory", " ");
        p.ListenUrls("Urls", "http://127.0.0.1:1;http://127.0.0.1:99999");
        p.HttpUrl("AgentControllerUrl", "/relative");
        p.HttpUrl("Unset", null);
        p.HttpUrl("PortZero", "http://10.0.0.1:0");
        p.OneOf("Policy", "fastest", ["a", "b"]);
        Assert.Equal([
            "SkyServe:Reconcile:Interval must be positive (got -00:00:01)",
            "SkyServe:Jobs:OrphanGrace must not be negative (got -00:00:00.5000000)",
            "SkyServe:Reconcile:MaxLaunchesInFlight must be at least 1 (got 0)",
            "SkyServe:Reconcile:MaxLaunchBackoff must be at least SkyServe:Reconcile:LaunchBackoff (00:00:02) (got 00:00:01)",
            "SkyServe:DataDirectory must be set",
            "SkyServe:Urls must have a port of 0-65535 (got 'http://127.0.0.1:99999')",
            "SkyServe:AgentControllerUrl must be an absolute http:// or https:// URL (got '/relative')",
            "SkyServe:PortZero must name a port other than 0 (got 'http://10.0.0.1:0')",
            "SkyServe:Policy must be one of a, b (got 'fastest')",
        ], p.All);
    }

    [Fact]
    public void Names_may_be_anything()
    {
        var p = new SettingProblems(setting => setting == "Listen" ? "--listen" : setting);
        p.ListenUrl("Listen", "nope");
        Assert.Equal(["--listen must be an http:// or https:// URL with a host and a port of 0-65535 (got 'nope')"], p.All);
        Assert.Equal("--listen", p.Name("Listen"));
    }
}
