using Microsoft.Extensions.Options;
using SkyServe.LoadBalancer.Hosting;
using SkyServe.LoadBalancer.LoadBalancing;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>Options given in code meet the rules the flags do; each bad one is a line that names it.</summary>
public sealed class LoadBalancerOptionsValidatorTests
{
    private static readonly LoadBalancerOptions Good = new() { ControllerUrl = "http://127.0.0.1:30580" };

    [Fact]
    public void The_defaults_and_everyday_settings_pass()
    {
        Assert.Empty(LoadBalancerOptionsValidator.Problems(Good));
        Assert.Empty(LoadBalancerOptionsValidator.Problems(new LoadBalancerOptions()));
        Assert.Empty(LoadBalancerOptionsValidator.Problems(new LoadBalancerOptions
        {
            Listen = "https://0.0.0.0:0", StaticBackends = ["http://127.0.0.1:1", "https://backend.test/v1"], StaticPolicy = PolicyNames.RoundRobin,
            FailedReplicaCooldown = TimeSpan.Zero, ReplayableBodyLimit = 0, ScaleToZeroQueueLimit = 0, TlsCertFile = "c.pem", TlsKeyFile = "k.pem",
        }));
        Assert.True(new LoadBalancerOptionsValidator().Validate(null, Good).Succeeded);
    }

    public static TheoryData<LoadBalancerOptions, string> BadSettings => new()
    {
        { Good with { MaxAttempts = 0 }, "LoadBalancer:MaxAttempts must be at least 1 (got 0)" },
        { Good with { ConnectTimeout = TimeSpan.Zero }, "LoadBalancer:ConnectTimeout must be positive (got 00:00:00)" },
        { Good with { ActivityTimeout = TimeSpan.FromSeconds(-1) }, "LoadBalancer:ActivityTimeout must be positive (got -00:00:01)" },
        { Good with { FailedReplicaCooldown = TimeSpan.FromSeconds(-1) }, "LoadBalancer:FailedReplicaCooldown must not be negative (got -00:00:01)" },
        { Good with { ScaleToZeroWait = TimeSpan.Zero }, "LoadBalancer:ScaleToZeroWait must be positive (got 00:00:00)" },
        { Good with { ScaleToZeroQueueLimit = -1 }, "LoadBalancer:ScaleToZeroQueueLimit must be at least 0 (got -1)" },
        { Good with { StatsInterval = TimeSpan.Zero }, "LoadBalancer:StatsInterval must be positive (got 00:00:00)" },
        { Good with { ReplayableBodyLimit = -1 }, "LoadBalancer:ReplayableBodyLimit must be at least 0 (got -1)" },
        { Good with { MaxRequestBodySize = 0 }, "LoadBalancer:MaxRequestBodySize must be at least 1 (got 0)" },
        { Good with { MaxRequestHeadersTotalSize = 0 }, "LoadBalancer:MaxRequestHeadersTotalSize must be at least 1 (got 0)" },
        { Good with { Listen = "localhost:30581" }, "LoadBalancer:Listen must be an http:// or https:// URL with a host and a port of 0-65535 (got 'localhost:30581')" },
        { Good with { Listen = "http://127.0.0.1:0;http://127.0.0.1:1" }, "LoadBalancer:Listen must be one URL (got 'http://127.0.0.1:0;http://127.0.0.1:1')" },
        { Good with { ControllerUrl = "127.0.0.1:30580" }, "LoadBalancer:ControllerUrl must be an absolute http:// or https:// URL (got '127.0.0.1:30580')" },
        { new LoadBalancerOptions { StaticBackends = ["http://127.0.0.1:1", "backend"] }, "LoadBalancer:StaticBackends must be an absolute http:// or https:// URL (got 'backend')" },
        { new LoadBalancerOptions { StaticBackends = ["http://127.0.0.1:1"], StaticPolicy = "fastest" },
            "LoadBalancer:StaticPolicy must be one of least_load, round_robin, instance_aware_least_load (got 'fastest')" },
        { Good with { Domain = "" }, "LoadBalancer:Domain must be set" },
        { Good with { Id = " " }, "LoadBalancer:Id must be set" },
        { Good with { TlsCertFile = "c.pem" }, "LoadBalancer:TlsKeyFile must be set with LoadBalancer:TlsCertFile" },
        { Good with { TlsKeyFile = "k.pem" }, "LoadBalancer:TlsCertFile must be set with LoadBalancer:TlsKeyFile" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_bad_setting_is_one_line_that_names_it(LoadBalancerOptions options, string expected)
    {
        Assert.Equal([expected], LoadBalancerOptionsValidator.Problems(options));
        Assert.Equal(expected, new LoadBalancerOptionsValidator().Validate(null, options).FailureMessage);
    }

    [Fact]
    public void The_host_is_not_built_with_a_bad_setting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => LoadBalancerHost.Build(Good with { Listen = "http://127.0.0.1:0", MaxAttempts = 0, StatsInterval = TimeSpan.Zero }));
        Assert.Equal("LoadBalancer:MaxAttempts must be at least 1 (got 0); LoadBalancer:StatsInterval must be positive (got 00:00:00)", error.Message);
    }
}
