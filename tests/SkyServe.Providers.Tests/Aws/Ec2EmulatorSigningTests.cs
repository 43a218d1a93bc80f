using System.Net;
using System.Security.Cryptography;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace SkyServe.Providers.Tests.Aws;

/// <summary>
/// The emulator checks AWSSDK.EC2's signatures the way EC2 does: the SDK's own requests pass, and anything
/// changed after signing is refused.
/// </summary>
public sealed class Ec2EmulatorSigningTests : IAsyncLifetime
{
    private AwsTestCloud cloud = null!;
    private static readonly BasicAWSCredentials Credentials = new(AwsTestCloud.AccessKey, AwsTestCloud.SecretKey);

    public async Task InitializeAsync() => cloud = await AwsTestCloud.StartAsync();

    public async Task DisposeAsync() => await cloud.DisposeAsync();

    private AmazonEC2Client Client(string service = "ec2", Func<HttpRequestMessage, Task>? afterSigning = null)
    {
        var config = new AmazonEC2Config
        {
            ServiceURL = cloud.Emulator.Url,
            AuthenticationRegion = AwsTestCloud.Region,
            AuthenticationServiceName = service,
            MaxErrorRetry = 0,
        };
        if (afterSigning is not null)
            config.HttpClientFactory = new TamperingFactory(afterSigning);
        return new AmazonEC2Client(Credentials, config);
    }

    [Fact]
    public async Task The_SDK_s_signed_call_is_answered()
    {
        using var ec2 = Client();
        var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest());
        Assert.Equal(HttpStatusCode.OK, response.HttpStatusCode);
        Assert.Equal((200, AwsTestCloud.AccessKey), Assert.Single(cloud.Emulator.RequestsFor("DescribeInstances")) is var r ? (r.Status, r.AccessKey) : default);
    }

    [Fact]
    public async Task A_body_changed_after_signing_is_SignatureDoesNotMatch_in_the_EC2_error_envelope()
    {
        using var ec2 = Client(afterSigning: async request =>
        {
            var body = await request.Content!.ReadAsStringAsync();
            var content = new StringContent(body.Replace("Action=DescribeInstances", "Action=TerminateInstances&InstanceId.1=i-0123456789abcdef0"));
            content.Headers.ContentType = request.Content.Headers.ContentType;
            request.Content = content;
            // The payload hash header made to match, so that only the signature can catch the change.
            request.Headers.Remove("X-Amz-Content-SHA256");
            request.Headers.Add("X-Amz-Content-SHA256", Convert.ToHexStringLower(SHA256.HashData(await content.ReadAsByteArrayAsync())));
        });
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeInstancesAsync(new DescribeInstancesRequest()));
        Assert.Equal((HttpStatusCode.Forbidden, "SignatureDoesNotMatch"), (error.StatusCode, error.ErrorCode));
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.Empty(cloud.World.Instances);
    }

    [Fact]
    public async Task A_signature_for_another_service_is_refused()
    {
        using var ec2 = Client(service: "sqs");
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeInstancesAsync(new DescribeInstancesRequest()));
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Contains("Credential should be scoped to correct service: 'ec2'", error.Message);
    }

    [Fact]
    public async Task An_unsigned_call_is_MissingAuthenticationToken()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(cloud.Emulator.Url + "/", new StringContent("Action=DescribeInstances&Version=2016-11-15"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("<Code>MissingAuthenticationToken</Code>", await response.Content.ReadAsStringAsync());
    }

    /// <summary>The SDK's HTTP client, with a hook that edits each request after the SDK signed it.</summary>
    private sealed class TamperingFactory(Func<HttpRequestMessage, Task> tamper) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Tamperer(tamper));

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        private sealed class Tamperer(Func<HttpRequestMessage, Task> tamper) : DelegatingHandler(new HttpClientHandler())
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
            {
                await tamper(request);
                return await base.SendAsync(request, ct);
            }
        }
    }
}
