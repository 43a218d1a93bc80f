using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using SkyServe.Controller.Hosting;
using SkyServe.Testing;

namespace SkyServe.Integration.Tests;

/// <summary>Which clouds the controller's configuration chooses, and how a misconfigured one stops the start.</summary>
public sealed class CloudSetupTests
{
    private static readonly ControllerOptions Options = new() { ConfigDirectory = RepoPaths.Config };

    private static IConfiguration Config(Dictionary<string, string?> keys) => new ConfigurationBuilder().AddInMemoryCollection(keys).Build();

    [Fact]
    public async Task No_cloud_section_means_the_local_runtime()
    {
        var set = await CloudSetup.StartAsync(Config(new() { ["SkyServe:Urls"] = "http://127.0.0.1:0" }), Options, NullLoggerFactory.Instance);
        Assert.Null(set);
    }

    [Theory]
    [InlineData("Aws", "ImageId", "SkyServe:Clouds:Aws")]
    [InlineData("Gcp", "Project is required", "SkyServe:Clouds:Gcp")]
    [InlineData("Azure", "SubscriptionId is required", "SkyServe:Clouds:Azure")]
    public async Task A_misconfigured_cloud_fails_with_its_section_and_what_is_missing(string cloud, string problem, string section)
    {
        var error = await Assert.ThrowsAsync<CloudSettingsException>(() => CloudSetup.StartAsync(
            Config(new() { [$"SkyServe:Clouds:{cloud}:Image"] = "x", [$"SkyServe:Clouds:{cloud}:AgentInstallUrl"] = "https://example.com/a.tar.gz" }),
            Options, NullLoggerFactory.Instance));
        Assert.Contains(section, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Theory]
    [InlineData("Gcp", "Project", "Agent:PackageUrl")]
    [InlineData("Azure", "SubscriptionId", "Agent:PackageUrl")]
    [InlineData("Aws", "Regions:us-east-1:ImageId", "AgentInstallUrl")]
    public async Task A_cloud_without_its_own_agent_url_needs_a_controller_that_serves_the_agent(string cloud, string key, string urlKey)
    {
        var config = Config(new() { [$"SkyServe:Clouds:{cloud}:{key}"] = "x" });
        var error = await Assert.ThrowsAsync<CloudSettingsException>(() => CloudSetup.StartAsync(config, Options, NullLoggerFactory.Instance));
        Assert.Contains($"{urlKey} is not set and this controller has no ReplicaAgent archive to serve its machines", error.Message);

        // With an archive to serve, the URL is not missed (whatever else is).
        try
        {
            if (await CloudSetup.StartAsync(config, Options, NullLoggerFactory.Instance, servesAgentPackage: true) is { } set)
                await set.DisposeAsync();
        }
        catch (CloudSettingsException e)
        {
            Assert.DoesNotContain(urlKey, e.Message);
        }
    }

    [Fact]
    public async Task A_docker_section_builds_the_docker_hosts_provider_without_contacting_them()
    {
        await using var set = await CloudSetup.StartAsync(Config(new()
        {
            ["SkyServe:Clouds:Docker:Image"] = "skyserve-agent:latest",
            ["SkyServe:Clouds:Docker:Hosts:0:Zone"] = "box-1",
            ["SkyServe:Clouds:Docker:Hosts:0:Endpoint"] = "unix:///nonexistent/docker.sock",
            ["SkyServe:Clouds:Docker:Hosts:1:Zone"] = "gpu-1",
            ["SkyServe:Clouds:Docker:Hosts:1:Endpoint"] = "tcp://10.0.0.7:2376",
            ["SkyServe:Clouds:Docker:Hosts:1:Address"] = "10.0.0.7",
            ["SkyServe:Clouds:Docker:StopGrace"] = "00:00:45",
        }), Options, NullLoggerFactory.Instance);
        Assert.NotNull(set);
        Assert.Equal(["docker"], set.Clouds);
        var offerings = await set.ListOfferingsAsync(CancellationToken.None);
        Assert.Equal(["box-1", "gpu-1"], offerings.Select(o => o.Instance.Zone).Distinct().Order());
    }

    [Fact]
    public async Task A_misconfigured_docker_section_names_every_problem_in_one_line()
    {
        var error = await Assert.ThrowsAsync<CloudSettingsException>(() => CloudSetup.StartAsync(Config(new()
        {
            ["SkyServe:Clouds:Docker:Hosts:0:Zone"] = "Box 1",
            ["SkyServe:Clouds:Docker:Hosts:0:Endpoint"] = "http://docker:2375",
            ["SkyServe:Clouds:Docker:AgentPorts"] = "30000",
        }), Options, NullLoggerFactory.Instance));
        Assert.StartsWith("cloud settings SkyServe:Clouds:Docker: Image is required", error.Message);
        Assert.Contains("Hosts:0:Zone must be lower-case letters, digits and '-' (got 'Box 1')", error.Message);
        Assert.Contains("Hosts:0:Endpoint must be unix:///path/to/docker.sock or tcp://host:port (got 'http://docker:2375')", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_bad_value_names_its_key()
    {
        var error = await Assert.ThrowsAsync<CloudSettingsException>(() => CloudSetup.StartAsync(
            Config(new() { ["SkyServe:Clouds:Gcp:Project"] = "p", ["SkyServe:Clouds:Gcp:OperationTimeout"] = "ten minutes" }),
            Options, NullLoggerFactory.Instance));
        Assert.Contains("SkyServe:Clouds:Gcp", error.Message);
        Assert.Contains("OperationTimeout", error.Message);
    }
}
