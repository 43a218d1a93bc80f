using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using Amazon.Runtime;
using SkyServe.Providers.Aws.Signing;

namespace SkyServe.Providers.Tests.Aws;

/// <summary>The emulator checks signatures the way EC2 does: anything changed after signing is refused.</summary>
public sealed class Ec2EmulatorSigningTests : IAsyncLifetime
{
    private AwsTestCloud cloud = null!;
    private readonly HttpClient http = new();
    private static readonly ImmutableCredentials Credentials = new(AwsTestCloud.AccessKey, AwsTestCloud.SecretKey, null);

    public async Task InitializeAsync() => cloud = await AwsTestCloud.StartAsync();

    public async Task DisposeAsync()
    {
        http.Dispose();
        await cloud.DisposeAsync();
    }

    private HttpRequestMessage Signed(string signedBody, string sentBody, string region = "us-east-1", string service = "ec2")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, cloud.Emulator.Url + "/") { Content = new StringContent(sentBody) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");
        SigV4Signer.Sign(request, Encoding.UTF8.GetBytes(signedBody), Credentials, region, service, cloud.Clock.GetUtcNow());
        return request;
    }

    [Fact]
    public async Task A_correctly_signed_call_is_answered_in_the_EC2_namespace()
    {
        const string body = "Action=DescribeInstances&Version=2016-11-15";
        using var response = await http.SendAsync(Signed(body, body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        Assert.Equal(XName.Get("DescribeInstancesResponse", "http://ec2.amazonaws.com/doc/2016-11-15/"), root.Name);
    }

    [Fact]
    public async Task A_body_changed_after_signing_is_SignatureDoesNotMatch_in_the_EC2_error_envelope()
    {
        using var response = await http.SendAsync(Signed("Action=DescribeInstances&Version=2016-11-15", "Action=TerminateInstances&Version=2016-11-15&InstanceId.1=i-0123456789abcdef0"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        Assert.Equal("Response", root.Name.LocalName);
        Assert.Equal("SignatureDoesNotMatch", root.Element("Errors")!.Element("Error")!.Element("Code")!.Value);
        Assert.False(string.IsNullOrEmpty(root.Element("RequestID")!.Value));
    }

    [Fact]
    public async Task A_signature_for_another_service_is_refused()
    {
        const string body = "Action=DescribeInstances&Version=2016-11-15";
        using var response = await http.SendAsync(Signed(body, body, service: "sqs"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Credential should be scoped to correct service: 'ec2'", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unsigned_call_is_MissingAuthenticationToken()
    {
        using var response = await http.PostAsync(cloud.Emulator.Url + "/", new StringContent("Action=DescribeInstances&Version=2016-11-15"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("<Code>MissingAuthenticationToken</Code>", await response.Content.ReadAsStringAsync());
    }
}
