using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Services;
using SkyServe.Contracts.Notices;

namespace SkyServe.Controller.Api;

/// <summary>
/// The archives a spec's <c>workdir</c> and local <c>file_mounts</c> travel in (<see cref="BlobStore"/>): the owner
/// PUTs one under its digest before submitting the spec (HEAD first says whether it is there already), and a
/// replica's agent GETs the ones its service version names, with its own agent token.
/// </summary>
public static class BlobEndpoints
{
    public const string MediaType = "application/gzip";

    /// <summary>PUT and HEAD /api/v1/blobs/{digest}, on the owner's API group (API token).</summary>
    public static RouteGroupBuilder MapBlobUploads(this RouteGroupBuilder api)
    {
        api.MapPut("/blobs/{digest}", PutAsync).WithTags("uploads")
            .WithSummary("Upload a workdir or file_mounts archive (tar.gz) under its digest, sha256:HEX; the same bytes again are fine.");
        api.MapMethods("/blobs/{digest}", [HttpMethods.Head], HeadAsync).WithTags("uploads")
            .WithSummary("200 when the archive is stored, 404 when not: `skyserve up` asks before it uploads.");
        return api;
    }

    /// <summary>GET /api/v1/agent/blobs/{digest}: for an agent token, only the archives of its replica's version.</summary>
    public static void MapAgentBlobs(this IEndpointRouteBuilder app)
    {
        app.MapGet(AgentApi.Blobs + "/{digest}", GetAsync).AddEndpointFilter<AgentTokenFilter>().WithTags("agents")
            .WithSummary("An archive of the replica's service version (its workdir or a file mount), for its agent.");
    }

    private static async Task<IResult> PutAsync(string digest, HttpRequest request, BlobStore blobs, CancellationToken ct)
    {
        BlobDigest.Require(digest);
        // Kestrel's own cap (30 MB) would cut a larger archive off with a bare 413; the store applies the configured one.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = blobs.MaxBytes + 1;
        var stored = await blobs.PutAsync(digest, request.Body, request.ContentLength, ct);
        var view = new BlobView(digest, stored);
        return stored ? Results.Created($"/api/v1/blobs/{digest}", view) : Results.Ok(view);
    }

    private static async Task<IResult> HeadAsync(string digest, BlobStore blobs, CancellationToken ct)
    {
        BlobDigest.Require(digest);
        return await blobs.ExistsAsync(digest, ct) ? Results.Ok() : Results.NotFound();
    }

    private static async Task<IResult> GetAsync(string digest, HttpRequest request, ScopedTokens tokens, ControllerDb db, BlobStore blobs, CancellationToken ct)
    {
        BlobDigest.Require(digest);
        var presented = ScopedTokens.Presented(request)!; // the filter let only a token through
        if (tokens.TryReadAgentToken(presented, out var launchToken))
        {
            var replica = await db.Replicas.AsNoTracking().Where(r => r.LaunchToken == launchToken)
                .Select(r => new { r.ReplicaId, r.ServiceId, r.Version }).SingleOrDefaultAsync(ct);
            var uploads = replica is null
                ? null
                : await db.ServiceVersions.AsNoTracking().Where(v => v.ServiceId == replica.ServiceId && v.Version == replica.Version)
                    .Select(v => v.Uploads).SingleOrDefaultAsync(ct);
            if (replica is null || !Names(SpecUploads.Parse(uploads), digest))
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not this replica's upload",
                    detail: replica is null
                        ? "this agent's replica is gone"
                        : $"{digest} is not an upload of replica {replica.ReplicaId}'s service version {replica.Version}");
        }
        if (await blobs.ReadAsync(digest, ct) is not { } content)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such upload", detail: $"{digest} is not stored on the controller");
        request.HttpContext.Response.Headers[AgentPackageEndpoint.ChecksumHeader] = digest[BlobDigest.Prefix.Length..];
        return Results.Bytes(content, MediaType);
    }

    private static bool Names(SpecUploads uploads, string digest) => uploads.Workdir == digest || uploads.FileMounts.Values.Contains(digest);

    /// <param name="Stored">True when this upload stored it; false when it was there already.</param>
    public sealed record BlobView(string Digest, bool Stored);
}
