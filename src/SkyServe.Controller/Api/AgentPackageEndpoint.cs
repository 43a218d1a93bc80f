using Microsoft.Net.Http.Headers;
using SkyServe.Controller.Hosting;
using SkyServe.Contracts.Notices;

namespace SkyServe.Controller.Api;

/// <summary>
/// GET /api/v1/agent/package: the ReplicaAgent archive the clouds' boot scripts download (<see cref="AgentPackages"/>),
/// so that machines need no bucket. Its SHA-256 comes as <c>X-Checksum-Sha256</c> (hex, as sha256sum prints it),
/// <c>Digest: sha-256=</c> (base64, RFC 3230) and the ETag; ranges and If-None-Match are honoured. The boot script does
/// not trust these headers: it checks the digest the controller wrote into the script itself.
/// </summary>
/// <remarks>
/// The archive is the repository's own code, nothing secret, but it is tens of megabytes: a credential every machine
/// already holds (its agent token, or the API token) keeps the endpoint from being anyone's free download.
/// </remarks>
public static class AgentPackageEndpoint
{
    public const string ChecksumHeader = "X-Checksum-Sha256";

    public static void MapAgentPackage(this IEndpointRouteBuilder app)
    {
        app.MapGet(AgentApi.Package, Serve).AddEndpointFilter<AgentTokenFilter>().WithTags("agents")
            .WithSummary("The ReplicaAgent archive (linux-x64, self-contained) for a cloud machine's boot script, with its SHA-256.");
    }

    private static IResult Serve(AgentPackages packages, HttpResponse response)
    {
        if (packages.Current is not { } file)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No agent package", detail: packages.Missing);
        response.Headers[ChecksumHeader] = file.Sha256;
        response.Headers["Digest"] = "sha-256=" + Convert.ToBase64String(Convert.FromHexString(file.Sha256));
        return Results.File(file.Path, "application/gzip", AgentPackages.FileName, new DateTimeOffset(file.LastModified, TimeSpan.Zero),
            new EntityTagHeaderValue($"\"{file.Sha256}\""), enableRangeProcessing: true);
    }
}
