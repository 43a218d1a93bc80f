using System.Security.Cryptography;
using SkyServe.Contracts.Notices;
using SkyServe.Providers;

namespace SkyServe.Controller.Hosting;

/// <summary>
/// The ReplicaAgent archive this controller serves its cloud machines (<c>GET /api/v1/agent/package</c>) and offers with
/// every launch (<see cref="AgentSettings.Package"/>, whose digest the boot script checks). Found at
/// <see cref="AgentPackageOptions.PackagePath"/> when that is set, else beside the controller's program, else in
/// <c>artifacts/packages/</c> of the checkout the program runs from. Looked up afresh on each use (a file
/// replaced while the controller runs is served from then on); hashed again only when its size or time changes.
/// </summary>
public sealed class AgentPackages
{
    public const string FileName = "replica-agent-linux-x64.tar.gz";

    private readonly string? configured;
    private readonly Lock gate = new();
    private AgentPackageFile? hashed;

    public AgentPackages(string? configuredPath)
    {
        configured = configuredPath is null ? null : Path.GetFullPath(configuredPath);
        Candidates = configured is not null ? [configured] : Defaults();
    }

    /// <summary>Where the archive is looked for, in order.</summary>
    public IReadOnlyList<string> Candidates { get; }

    /// <summary>The archive and its digest, or null when there is none.</summary>
    public AgentPackageFile? Current
    {
        get
        {
            foreach (var candidate in Candidates)
            {
                var info = new FileInfo(candidate);
                if (!info.Exists)
                    continue;
                lock (gate)
                {
                    if (hashed is { } known && known.Path == info.FullName && known.Length == info.Length && known.LastModified == info.LastWriteTimeUtc)
                        return known;
                    return hashed = new AgentPackageFile(info.FullName, Sha256Of(info), info.Length, info.LastWriteTimeUtc);
                }
            }
            return null;
        }
    }

    /// <summary>What a launch is told to download: this controller's endpoint at <paramref name="controllerUrl"/>, with the digest.</summary>
    public AgentPackage? OfferAt(string? controllerUrl) =>
        controllerUrl is null || Current is not { } file ? null
            : new AgentPackage($"{controllerUrl.TrimEnd('/')}/{AgentApi.Package}", file.Sha256) { WithAgentToken = true };

    /// <summary>Why there is nothing to serve, for a 404's detail.</summary>
    public string Missing => configured is not null
        ? $"SkyServe:Agent:PackagePath names {configured}, which does not exist"
        : $"no {FileName} beside the controller or in artifacts/packages/ of its checkout (looked at {string.Join(", ", Candidates)}): " +
          "run `./skyserve package`, or set SkyServe:Agent:PackagePath";

    private static List<string> Defaults()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, FileName) };
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SkyServe.sln")))
            {
                candidates.Add(Path.Combine(dir.FullName, "artifacts", "packages", FileName));
                break;
            }
        return candidates;
    }

    private static string Sha256Of(FileInfo file)
    {
        using var stream = file.OpenRead();
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>The archive on disk and what it hashes to (lowercase hex, as sha256sum prints it).</summary>
public sealed record AgentPackageFile(string Path, string Sha256, long Length, DateTime LastModified);
