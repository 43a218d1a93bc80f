using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SkyServe.Cloud.Emulators.Aws;

/// <summary>
/// S3 on 127.0.0.1, path-style (<c>/BUCKET/KEY</c>): ListObjectsV2 (with continuation tokens), GetObject and HeadObject,
/// each request's Signature V4 checked against the one key pair it knows; errors in S3's XML (NoSuchKey, NoSuchBucket,
/// SignatureDoesNotMatch, InvalidAccessKeyId). Enough to show an agent copying a bucket prefix.
/// </summary>
public sealed class S3Emulator : IAsyncDisposable
{
    private static readonly XNamespace Ns = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly LoopbackServer server;
    private readonly string accessKey;
    private readonly string secretKey;

    private S3Emulator(LoopbackServer server, string accessKey, string secretKey)
    {
        this.server = server;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    public ObjectStore Objects { get; } = new();

    /// <summary>The endpoint, for AWS_ENDPOINT_URL_S3.</summary>
    public Uri Endpoint => server.BaseUri;

    public IReadOnlyList<Emulators.RecordedRequest> Requests => server.Requests;

    public static async Task<S3Emulator> StartAsync(string accessKey, string secretKey)
    {
        S3Emulator? emulator = null;
        var server = await LoopbackServer.StartAsync(app => app.Run(context => emulator!.HandleAsync(context)));
        emulator = new S3Emulator(server, accessKey, secretKey);
        return emulator;
    }

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            VerifySignature(context, buffer.ToArray());
            var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value!;
            var rawPath = rawTarget.Split('?')[0].TrimStart('/');
            var slash = rawPath.IndexOf('/');
            var bucket = Uri.UnescapeDataString(slash < 0 ? rawPath : rawPath[..slash]);
            var key = slash < 0 ? "" : Uri.UnescapeDataString(rawPath[(slash + 1)..]);
            if (!Objects.HasBucket(bucket))
                throw new S3Error(HttpStatusCode.NotFound, "NoSuchBucket", "The specified bucket does not exist");
            if (key.Length == 0 && context.Request.Query["list-type"] == "2")
                await ListAsync(context, bucket);
            else if (key.Length > 0 && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
                await ObjectAsync(context, bucket, key);
            else
                throw new S3Error(HttpStatusCode.NotImplemented, "NotImplemented", $"{context.Request.Method} {rawTarget} is not emulated");
        }
        catch (S3Error error)
        {
            context.Response.StatusCode = (int)error.Status;
            if (HttpMethods.IsHead(context.Request.Method))
                return;
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync(new XElement("Error", new XElement("Code", error.Code), new XElement("Message", error.Message),
                new XElement("RequestId", Guid.NewGuid().ToString("N"))).ToString());
        }
    }

    private void VerifySignature(HttpContext context, byte[] body)
    {
        try
        {
            // S3 signs the payload hash it is sent (or UNSIGNED-PAYLOAD); the verifier checks a hash of the body it read.
            var claimed = context.Request.Headers["X-Amz-Content-Sha256"].ToString();
            if (claimed == "UNSIGNED-PAYLOAD")
                throw new S3Error(HttpStatusCode.BadRequest, "InvalidRequest", "this emulator checks signed payloads only (plain HTTP)");
            SigV4Verifier.Verify(context, body, "s3", key => key == accessKey ? secretKey : null, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15));
        }
        catch (Ec2Fault fault)
        {
            throw new S3Error(fault.Status, fault.Code == "AuthFailure" ? "InvalidAccessKeyId" : fault.Code, fault.Message);
        }
    }

    private async Task ListAsync(HttpContext context, string bucket)
    {
        var prefix = context.Request.Query["prefix"].ToString();
        var token = context.Request.Query["continuation-token"].ToString();
        var (page, next) = Objects.List(bucket, prefix, token.Length == 0 ? null : token);
        var result = new XElement(Ns + "ListBucketResult",
            new XElement(Ns + "Name", bucket),
            new XElement(Ns + "Prefix", prefix),
            new XElement(Ns + "KeyCount", page.Count),
            new XElement(Ns + "MaxKeys", 1000),
            new XElement(Ns + "IsTruncated", next is null ? "false" : "true"),
            token.Length == 0 ? null : new XElement(Ns + "ContinuationToken", token),
            next is null ? null : new XElement(Ns + "NextContinuationToken", next),
            page.Select(o => new XElement(Ns + "Contents",
                new XElement(Ns + "Key", o.Key),
                new XElement(Ns + "LastModified", "2026-12-05T00:00:00.000Z"),
                new XElement(Ns + "ETag", "\"" + o.Key.GetHashCode().ToString("x8", CultureInfo.InvariantCulture) + "\""),
                new XElement(Ns + "Size", o.Size),
                new XElement(Ns + "StorageClass", "STANDARD"))));
        context.Response.ContentType = "application/xml";
        await context.Response.WriteAsync(new XDeclaration("1.0", "UTF-8", null) + result.ToString(SaveOptions.DisableFormatting));
    }

    private async Task ObjectAsync(HttpContext context, string bucket, string key)
    {
        var content = Objects.Get(bucket, key) ?? throw new S3Error(HttpStatusCode.NotFound, "NoSuchKey", "The specified key does not exist.");
        context.Response.ContentType = "binary/octet-stream";
        context.Response.ContentLength = content.Length;
        context.Response.Headers.ETag = "\"" + Convert.ToHexStringLower(MD5.HashData(content)) + "\"";
        context.Response.Headers.LastModified = "Sat, 05 Dec 2026 00:00:00 GMT";
        if (!HttpMethods.IsHead(context.Request.Method))
            await context.Response.Body.WriteAsync(content, context.RequestAborted);
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();

    private sealed class S3Error(HttpStatusCode status, string code, string message) : Exception(message)
    {
        public HttpStatusCode Status { get; } = status;
        public string Code { get; } = code;
    }
}
