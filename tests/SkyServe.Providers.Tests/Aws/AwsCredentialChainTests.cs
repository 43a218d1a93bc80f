using SkyServe.Providers.Aws;

namespace SkyServe.Providers.Tests.Aws;

/// <summary>Without explicit credentials the provider uses AWSSDK.Core's default chain, starting with the environment.</summary>
public sealed class AwsCredentialChainTests
{
    [Fact]
    public async Task Credentials_come_from_the_environment_through_the_default_chain()
    {
        await using var cloud = await AwsTestCloud.StartAsync();
        var saved = new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN" }.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", AwsTestCloud.AccessKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", AwsTestCloud.SecretKey);
            Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", null);
            await using var provider = AwsCloudProvider.Create(cloud.Options(), AwsTestCloud.Catalog, credentials: null, time: cloud.Clock);
            Assert.Empty(await provider.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
            Assert.All(cloud.Emulator.RequestsFor("DescribeInstances"), r => Assert.Equal((AwsTestCloud.AccessKey, 200), (r.AccessKey, r.Status)));
            Assert.NotEmpty(cloud.Emulator.RequestsFor("DescribeInstances"));
        }
        finally
        {
            foreach (var (name, value) in saved)
                Environment.SetEnvironmentVariable(name, value);
        }
    }
}
