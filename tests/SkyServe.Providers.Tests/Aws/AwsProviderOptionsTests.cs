using Microsoft.Extensions.Configuration;
using SkyServe.Providers.Aws;

namespace SkyServe.Providers.Tests.Aws;

public sealed class AwsProviderOptionsTests
{
    [Fact]
    public void Settings_bind_from_the_SkyServe_Clouds_Aws_section()
    {
        // The keys environment variables give (SkyServe__Clouds__Aws__Regions__us-east-1__ImageId → SkyServe:Clouds:Aws:Regions:us-east-1:ImageId).
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SkyServe:Clouds:Aws:Regions:us-east-1:ImageId"] = "ami-0123",
            ["SkyServe:Clouds:Aws:Regions:us-east-1:Subnets:us-east-1a"] = "subnet-a",
            ["SkyServe:Clouds:Aws:Regions:us-east-1:Subnets:us-east-1c"] = "subnet-c",
            ["SkyServe:Clouds:Aws:Regions:us-west-2:ImageId"] = "ami-0456",
            ["SkyServe:Clouds:Aws:Regions:us-west-2:SecurityGroupIds:0"] = "sg-west",
            ["SkyServe:Clouds:Aws:Regions:us-west-2:KeyName"] = "west-key",
            ["SkyServe:Clouds:Aws:SecurityGroupIds:0"] = "sg-1",
            ["SkyServe:Clouds:Aws:SecurityGroupIds:1"] = "sg-2",
            ["SkyServe:Clouds:Aws:KeyName"] = "ops",
            ["SkyServe:Clouds:Aws:InstanceProfile"] = "replica",
            ["SkyServe:Clouds:Aws:AgentInstallUrl"] = "https://example.com/agent.tar.gz",
            ["SkyServe:Clouds:Aws:AgentPort"] = "9100",
            ["SkyServe:Clouds:Aws:Endpoint"] = "http://127.0.0.1:4566",
            ["SkyServe:Clouds:Aws:InterruptionQueueUrl"] = "https://sqs.us-east-1.amazonaws.com/123456789012/interruptions",
            ["SkyServe:Clouds:Aws:SpotPriceRefresh"] = "00:02:00",
            ["SkyServe:Clouds:Aws:Tags:team"] = "ml",
        }).Build();

        var options = AwsProviderOptions.FromConfiguration(configuration);

        Assert.Empty(options.Problems());
        Assert.Equal(["us-east-1", "us-west-2"], options.Regions.Keys.Order());
        Assert.Equal("ami-0123", options.Regions["us-east-1"].ImageId);
        Assert.Equal("subnet-c", options.Regions["us-east-1"].Subnets["us-east-1c"]);
        Assert.Equal(["sg-1", "sg-2"], options.SecurityGroupsFor("us-east-1"));
        Assert.Equal(["sg-west"], options.SecurityGroupsFor("us-west-2"));
        Assert.Equal(("ops", "west-key"), (options.KeyNameFor("us-east-1"), options.KeyNameFor("us-west-2")));
        Assert.Equal(("replica", 9100), (options.InstanceProfile, options.AgentPort));
        Assert.Equal(TimeSpan.FromMinutes(2), options.SpotPriceRefresh);
        Assert.Equal("ml", options.Tags["team"]);
        Assert.Equal(new Uri("http://127.0.0.1:4566"), options.EndpointFor("us-west-2"));
        Assert.Equal(new Uri("https://ec2.eu-west-1.amazonaws.com/"), (options with { Endpoint = null }).EndpointFor("eu-west-1"));
        Assert.Equal(new Uri("https://ec2.eu-west-1.vpce.example/"), (options with { Endpoint = "https://ec2.{region}.vpce.example/" }).EndpointFor("eu-west-1"));
    }

    [Fact]
    public void Unusable_settings_are_refused_with_every_reason()
    {
        var options = new AwsProviderOptions
        {
            Regions = new() { ["us-east-1"] = new AwsRegionOptions { Subnets = new() { ["eu-west-1a"] = "subnet-x" } } },
            PageSize = 2,
            AgentInstallUrl = "agent.tar.gz",
            AgentInstallSha256 = "abc",
        };
        var error = Assert.Throws<ArgumentException>(() => AwsCloudProvider.Create(options, AwsTestCloud.Catalog));
        Assert.Contains("region us-east-1 has no ImageId", error.Message);
        Assert.Contains("eu-west-1a", error.Message);
        Assert.Contains("AgentInstallUrl must be the absolute URL", error.Message);
        Assert.Contains("AgentInstallSha256 must be a SHA-256", error.Message);
        Assert.Contains("PageSize 2", error.Message);
        // No URL is fine: the controller serves the agent archive itself.
        Assert.Contains("no regions", Assert.Single(new AwsProviderOptions().Problems()));
    }
}
