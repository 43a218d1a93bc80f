using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SkyServe.Cloud.Emulators.Gcp;

/// <summary>
/// Cloud Storage's JSON API on 127.0.0.1, as STORAGE_EMULATOR_HOST clients reach it: objects.list
/// (<c>GET /storage/v1/b/BUCKET/o?prefix=&amp;pageToken=</c>) and objects.get (<c>GET /storage/v1/b/BUCKET/o/NAME</c>, the
/// name percent-encoded with its slashes; <c>alt=media</c> for the bytes, else the object's metadata). Like Google's
/// own emulators it takes no token; errors are the API's JSON error object.
/// </summary>
public sealed class GcsEmulator : IAsyncDisposable
{
    private const string Base = "/storage/v1/b/";
    private readonly LoopbackServer server;

    private GcsEmulator(LoopbackServer server) => this.server = server;

    public ObjectStore Objects { get; } = new();

    /// <summary>host:port, for STORAGE_EMULATOR_HOST.</summary>
    public string Host => server.BaseUri.Authority;

    public IReadOnlyList<RecordedRequest> Requests => server.Requests;

    public static async Task<GcsEmulator> StartAsync()
    {
        GcsEmulator? emulator = null;
        var server = await LoopbackServer.StartAsync(app => app.Run(context => emulator!.HandleAsync(context)));
        emulator = new GcsEmulator(server);
        return emulator;
    }

    private async Task HandleAsync(HttpContext context)
    {
        // The raw target: an object name's %2F must not become a path separator.
        var raw = (context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value!).Split('?')[0];
        var parts = raw.StartsWith(Base, StringComparison.Ordinal) ? raw[Base.Length..].Split('/') : [];
        if (parts is not ([_, "o"] or [_, "o", _]) || !HttpMethods.IsGet(context.Request.Method))
        {
            await ErrorAsync(context, HttpStatusCode.NotFound, $"{context.Request.Method} {raw} is not emulated");
            return;
        }
        var bucket = Uri.UnescapeDataString(parts[0]);
        if (!Objects.HasBucket(bucket))
        {
            await ErrorAsync(context, HttpStatusCode.NotFound, "The specified bucket does not exist.");
            return;
        }
        if (parts.Length == 2)
        {
            var token = context.Request.Query["pageToken"].ToString();
            var (page, next) = Objects.List(bucket, context.Request.Query["prefix"].ToString(), token.Length == 0 ? null : token);
            var body = new JsonObject
            {
                ["kind"] = "storage#objects",
                ["items"] = new JsonArray(page.Select(o => (JsonNode)Metadata(bucket, o.Key, o.Size)).ToArray()),
            };
            if (next is not null)
                body["nextPageToken"] = next;
            await JsonAsync(context, body);
            return;
        }
        var name = Uri.UnescapeDataString(parts[2]);
        if (Objects.Get(bucket, name) is not { } content)
        {
            await ErrorAsync(context, HttpStatusCode.NotFound, $"No such object: {bucket}/{name}");
            return;
        }
        if (context.Request.Query["alt"] == "media")
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = content.Length;
            await context.Response.Body.WriteAsync(content, context.RequestAborted);
        }
        else
            await JsonAsync(context, Metadata(bucket, name, content.Length));
    }

    private static JsonObject Metadata(string bucket, string name, long size) => new()
    {
        ["kind"] = "storage#object", ["bucket"] = bucket, ["name"] = name, ["size"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static Task JsonAsync(HttpContext context, JsonNode body)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    private static Task ErrorAsync(HttpContext context, HttpStatusCode status, string message)
    {
        context.Response.StatusCode = (int)status;
        return JsonAsync(context, new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = (int)status, ["message"] = message, ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["reason"] = "notFound" }) },
        });
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
