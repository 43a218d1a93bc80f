using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SkyServe.Cloud.Emulators.Azure;

/// <summary>
/// Azure Blob Storage on 127.0.0.1, path-style as Azurite serves it (<c>/ACCOUNT/CONTAINER/BLOB</c>): List Blobs
/// (<c>?restype=container&amp;comp=list&amp;prefix=&amp;marker=</c>, its EnumerationResults XML with NextMarker) and Get Blob.
/// A request must carry the x-ms-version header and either the SAS it was given (its <c>sig</c>) or <see cref="AccessToken"/>;
/// errors are the service's XML (AuthenticationFailed, ContainerNotFound, BlobNotFound).
/// </summary>
public sealed class BlobEmulator : IAsyncDisposable
{
    private readonly LoopbackServer server;
    private readonly string account;
    private readonly string signature;

    private BlobEmulator(LoopbackServer server, string account, string signature)
    {
        this.server = server;
        this.account = account;
        this.signature = signature;
    }

    public ObjectStore Objects { get; } = new();

    /// <summary>The account's blob endpoint, for a connection string's BlobEndpoint.</summary>
    public Uri BlobEndpoint => new(server.BaseUri, account + "/");

    /// <summary>A SAS the emulator accepts (only its <c>sig</c> is checked).</summary>
    public string Sas => $"sv=2021-08-06&ss=b&srt=co&sp=rl&se=2099-01-01T00:00:00Z&sig={Uri.EscapeDataString(signature)}";

    /// <summary>The one bearer token accepted: what a managed identity's token endpoint would hand the machine.</summary>
    public string AccessToken { get; } = "emulated-" + Guid.NewGuid().ToString("N");

    public IReadOnlyList<RecordedRequest> Requests => server.Requests;

    public static async Task<BlobEmulator> StartAsync(string account = "skyserveacct")
    {
        BlobEmulator? emulator = null;
        var server = await LoopbackServer.StartAsync(app => app.Run(context => emulator!.HandleAsync(context)));
        emulator = new BlobEmulator(server, account, Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        return emulator;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (string.IsNullOrEmpty(request.Headers["x-ms-version"]))
        {
            await ErrorAsync(context, HttpStatusCode.BadRequest, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-version");
            return;
        }
        if (request.Query["sig"] != signature && request.Headers.Authorization != $"Bearer {AccessToken}")
        {
            await ErrorAsync(context, HttpStatusCode.Forbidden, "AuthenticationFailed", "Server failed to authenticate the request.");
            return;
        }
        var raw = (context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value!).Split('?')[0].TrimStart('/');
        var parts = raw.Split('/', 3);
        if (parts.Length < 2 || parts[0] != account || !HttpMethods.IsGet(request.Method))
        {
            await ErrorAsync(context, HttpStatusCode.BadRequest, "InvalidUri", $"{request.Method} /{raw} is not emulated");
            return;
        }
        var container = Uri.UnescapeDataString(parts[1]);
        if (!Objects.HasBucket(container))
        {
            await ErrorAsync(context, HttpStatusCode.NotFound, "ContainerNotFound", "The specified container does not exist.");
            return;
        }
        if (parts.Length == 2 && request.Query["restype"] == "container" && request.Query["comp"] == "list")
        {
            var prefix = request.Query["prefix"].ToString();
            var marker = request.Query["marker"].ToString();
            var (page, next) = Objects.List(container, prefix, marker.Length == 0 ? null : marker);
            var result = new XElement("EnumerationResults",
                new XAttribute("ServiceEndpoint", BlobEndpoint.ToString()), new XAttribute("ContainerName", container),
                new XElement("Prefix", prefix), new XElement("Marker", marker),
                new XElement("Blobs", page.Select(o => new XElement("Blob",
                    new XElement("Name", o.Key),
                    new XElement("Properties", new XElement("Content-Length", o.Size), new XElement("BlobType", "BlockBlob"))))),
                new XElement("NextMarker", next ?? ""));
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync(new XDeclaration("1.0", "utf-8", null) + result.ToString(SaveOptions.DisableFormatting));
            return;
        }
        var blob = parts.Length == 3 ? Uri.UnescapeDataString(parts[2]) : "";
        if (Objects.Get(container, blob) is not { } content)
        {
            await ErrorAsync(context, HttpStatusCode.NotFound, "BlobNotFound", "The specified blob does not exist.");
            return;
        }
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = content.Length;
        context.Response.Headers["x-ms-blob-type"] = "BlockBlob";
        await context.Response.Body.WriteAsync(content, context.RequestAborted);
    }

    private static Task ErrorAsync(HttpContext context, HttpStatusCode status, string code, string message)
    {
        context.Response.StatusCode = (int)status;
        context.Response.Headers["x-ms-error-code"] = code;
        context.Response.ContentType = "application/xml";
        return context.Response.WriteAsync(new XElement("Error", new XElement("Code", code), new XElement("Message", message)).ToString());
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
