using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Contracts.Routing;
using SkyServe.Controller.Services;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Routing;

/// <summary>What routes take from a spec: per-accelerator weights, whether replicas run the built-in engine, its TLS files.</summary>
internal sealed record RoutedSpec(TargetQps? Targets, bool BuiltInEngine, ServiceTlsView? Tls = null);

/// <summary>
/// Each service's <see cref="RoutedSpec"/> for its current version, kept per (service, version): a spec's text is read
/// and parsed once, when the routing table first meets that version, not on every recompute. Used by the table's loop only.
/// </summary>
internal sealed class RoutedSpecs(ParsedSpecs specs)
{
    private readonly Dictionary<long, (int Version, RoutedSpec Spec)> byService = [];

    /// <summary>Reads the versions of <paramref name="rows"/> not known yet (one query, only when there are any).</summary>
    public async Task LoadAsync(ControllerDb db, IEnumerable<ServiceRouteRow> rows, CancellationToken ct)
    {
        var missing = rows.Where(r => r.VersionRowId is not null && For(r) is null).Select(r => r.VersionRowId!.Value).ToArray();
        if (missing.Length == 0)
            return;
        foreach (var version in await db.ServiceVersions.AsNoTracking().Where(v => missing.Contains(v.Id)).ToListAsync(ct))
        {
            var spec = specs.TryGet(version); // an unreadable stored spec: routed with defaults (the reconciler reports it)
            var tls = spec?.Service.Tls is null ? null : await TlsAsync(db, SpecUploads.Parse(version.Uploads).Tls, ct);
            byService[version.ServiceId] = (version.Version, new RoutedSpec(spec?.Service.ReplicaPolicy.TargetQpsPerReplica, spec?.UsesBuiltInEngine ?? false, tls));
        }
    }

    /// <summary>The certificate and key uploaded with the version (checked as PEM when submitted); null if they are missing.</summary>
    private static async Task<ServiceTlsView?> TlsAsync(ControllerDb db, TlsUpload? upload, CancellationToken ct)
    {
        if (upload is null)
            return null;
        var files = await db.Blobs.AsNoTracking().Where(b => b.Digest == upload.Certfile || b.Digest == upload.Keyfile)
            .ToDictionaryAsync(b => b.Digest, b => b.Content, ct);
        return files.TryGetValue(upload.Certfile, out var certificate) && files.TryGetValue(upload.Keyfile, out var key)
            ? new ServiceTlsView(System.Text.Encoding.UTF8.GetString(certificate), System.Text.Encoding.UTF8.GetString(key))
            : null;
    }

    public RoutedSpec? For(ServiceRouteRow row) =>
        byService.TryGetValue(row.Id, out var known) && known.Version == row.CurrentVersion ? known.Spec : null;

    public void Forget(long serviceId) => byService.Remove(serviceId);
}
