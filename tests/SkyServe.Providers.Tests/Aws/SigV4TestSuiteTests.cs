using System.Net.Http.Headers;
using System.Text;
using Amazon.Runtime;
using SkyServe.Cloud.Emulators.Aws;
using SkyServe.Providers.Aws.Signing;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests.Aws;

/// <summary>
/// AWS's Signature V4 test suite (Aws/SigV4TestSuite): the provider's canonical requests, strings to sign and
/// Authorization headers (signed by AWSSDK.Core), and the emulator's independent verifier, must all give the
/// published answers.
/// </summary>
public sealed class SigV4TestSuiteTests
{
    private static readonly string Suite = Path.Combine(RepoPaths.Root, "tests", "SkyServe.Providers.Tests", "Aws", "SigV4TestSuite");
    private static readonly DateTime SignedAt = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);
    private static readonly ImmutableCredentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.EnumerateDirectories(Suite).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(dir));
        return data;
    }

    [Fact]
    public void The_suite_has_the_cases_the_brief_names()
    {
        var cases = Directory.EnumerateDirectories(Suite).Select(d => Path.GetFileName(d)).ToList();
        Assert.Equal(20, cases.Count);
        foreach (var name in new[] { "get-vanilla", "post-vanilla", "get-vanilla-query", "post-x-www-form-urlencoded", "get-header-value-trim" })
            Assert.Contains(name, cases);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_signer_gives_the_published_canonical_request_string_to_sign_and_authorization(string name)
    {
        var vector = Vector.Read(name);
        var (canonical, signedHeaders) = SigV4Signer.CanonicalRequest(vector.Method, vector.Path, vector.Query, vector.Headers, SigV4Signer.Sha256Hex(vector.Body));
        Assert.Equal(vector.CanonicalRequest, canonical);
        Assert.Equal(vector.StringToSign, SigV4Signer.StringToSign(SignedAt, "us-east-1", "service", canonical));
        Assert.Equal(vector.Authorization, SigV4Signer.Authorization(Credentials, SignedAt, "us-east-1", "service", signedHeaders, canonical));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_emulator_verifier_gives_the_published_signature(string name)
    {
        var vector = Vector.Read(name);
        var signed = vector.Authorization.Split("SignedHeaders=")[1].Split(',')[0].Split(';');
        var rawQuery = string.Join('&', vector.Query.Select(q => $"{q.Key}={q.Value}"));
        var canonical = SigV4Verifier.CanonicalRequest(vector.Method, vector.Path, rawQuery, signed,
            header => vector.Headers.Where(h => h.Key.Equals(header, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList(),
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(vector.Body)));
        Assert.Equal(vector.CanonicalRequest, canonical);
        var stringToSign = SigV4Verifier.StringToSign("20150830T123600Z", "20150830", "us-east-1", "service", canonical);
        Assert.Equal(vector.StringToSign, stringToSign);
        Assert.EndsWith("Signature=" + SigV4Verifier.Signature(Credentials.SecretKey, "20150830", "us-east-1", "service", stringToSign), vector.Authorization);
    }

    [Fact]
    public void Signing_a_real_form_post_gives_the_published_authorization()
    {
        // post-x-www-form-urlencoded, through the path every EC2 call takes: an HttpRequestMessage signed in place.
        var body = Encoding.UTF8.GetBytes("Param1=value1");
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded");
        SigV4Signer.Sign(request, body, Credentials, "us-east-1", "service", new DateTimeOffset(SignedAt));
        Assert.Equal(Vector.Read("post-x-www-form-urlencoded").Authorization, request.Headers.GetValues("Authorization").Single());
        Assert.Equal("20150830T123600Z", request.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal("example.amazonaws.com", request.Headers.Host);
    }

    [Fact]
    public void Session_credentials_sign_their_token()
    {
        var token = File.ReadAllText(Path.Combine(Suite, "post-sts-header-before", "post-sts-header-before.req")).Split("X-Amz-Security-Token:")[1].Trim();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/");
        SigV4Signer.Sign(request, [], new ImmutableCredentials(Credentials.AccessKey, Credentials.SecretKey, token), "us-east-1", "service", new DateTimeOffset(SignedAt));
        Assert.Equal(token, request.Headers.GetValues("X-Amz-Security-Token").Single());
        Assert.Equal(Vector.Read("post-sts-header-before").Authorization, request.Headers.GetValues("Authorization").Single());
    }

    private sealed record Vector(
        string Method, string Path, List<KeyValuePair<string, string>> Query, List<KeyValuePair<string, string>> Headers, byte[] Body,
        string CanonicalRequest, string StringToSign, string Authorization)
    {
        public static Vector Read(string name)
        {
            string File(string ext) => System.IO.File.ReadAllText(System.IO.Path.Combine(Suite, name, $"{name}.{ext}"), Encoding.UTF8);
            var request = File("req");
            var split = request.IndexOf("\n\n", StringComparison.Ordinal);
            var head = split < 0 ? request : request[..split];
            var body = split < 0 ? "" : request[(split + 2)..];
            var lines = head.Split('\n');
            var requestLine = lines[0].Split(' ');
            var target = requestLine[1];
            var question = target.IndexOf('?');
            var query = question < 0 ? [] : target[(question + 1)..].Split('&').Select(p => p.Split('=', 2))
                .Select(kv => new KeyValuePair<string, string>(kv[0], kv.Length > 1 ? kv[1] : "")).ToList();
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Select(kv => new KeyValuePair<string, string>(kv[0], kv[1])).ToList();
            return new Vector(requestLine[0], question < 0 ? target : target[..question], query, headers, Encoding.UTF8.GetBytes(body),
                File("creq"), File("sts"), File("authz"));
        }
    }
}
